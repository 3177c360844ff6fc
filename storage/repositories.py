"""Repositories over SQLModel tables. They speak domain objects, never rows, to the services."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import and_, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from chatbot.domain.calendar import Period
from chatbot.domain.channels import Channel, Reach, route
from chatbot.domain.checklist import CardType, Catalogue, ChecklistItem
from chatbot.domain.errors import ConcurrentChange
from chatbot.domain.events import Event, EventKind
from chatbot.domain.invites import Invite
from chatbot.domain.people import Person
from chatbot.domain.roles import Role
from chatbot.domain.units import Unit, UnitKind
from chatbot.domain.workflow import (
    PROVINCIAL_CARD_ITEM,
    CardState,
    CardStatus,
    DeliveryKind,
    ItemState,
    ItemStatus,
)
from chatbot.services.ports import (
    Attachment,
    EvidenceFile,
    ItemRecord,
    LoadResult,
    OutgoingMessage,
    PendingAnnouncement,
    PeriodInfo,
    QueuedMessage,
    StoredCard,
    StoredItem,
    Submission,
)
from storage.models import (
    AuditRow,
    CardTypeRow,
    ChecklistItemRow,
    DayOffRow,
    DelegationRow,
    EvidenceFileRow,
    InboundMessageRow,
    InviteRow,
    ItemStateRow,
    LinkCodeRow,
    OutboxRow,
    PeriodRow,
    PersonRoleRow,
    PersonRow,
    ReminderLogRow,
    SubmissionFileRow,
    SubmissionRow,
    UnitRow,
)


class ReferenceCache:
    """Units and the checklist change only when ``spip-bot init`` loads them (at set-up, often
    from another process), yet nearly every update reads them: read once, kept ``ttl`` seconds,
    dropped at once when this process loads new ones."""

    def __init__(self, ttl: float = 30.0) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Any]] = {}

    def get(self, key: str, load: Callable[[], T]) -> T:
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is None or now - entry[0] > self.ttl:
            entry = (now, load())
            self._entries[key] = entry
        return cast(T, entry[1])

    def clear(self) -> None:
        self._entries.clear()


NO_CACHE = ReferenceCache(ttl=-1)


def _unit(row: UnitRow) -> Unit:
    return Unit(code=row.code, name=row.name, kind=UnitKind(row.kind))


T = TypeVar("T")


class SqlUnits:
    def __init__(self, session: Session, cache: ReferenceCache = NO_CACHE) -> None:
        self.session = session
        self.cache = cache

    def by_code(self) -> dict[str, Unit]:
        """Every unit, the deactivated too (people of a unit closed since keep it)."""
        return self.cache.get(
            "units", lambda: {u.code: _unit(u) for u in self.session.exec(select(UnitRow))}
        )

    def get(self, code: str) -> Unit | None:
        row = self.session.get(UnitRow, code)
        return _unit(row) if row and row.active else None

    def all(self) -> list[Unit]:
        rows = self.session.exec(
            select(UnitRow).where(col(UnitRow.active)).order_by(col(UnitRow.position))
        )
        return [_unit(r) for r in rows]

    def replace_all(self, units: Sequence[Unit]) -> LoadResult:
        self.cache.clear()
        existing = {r.code: r for r in self.session.exec(select(UnitRow))}
        added = updated = 0
        for position, unit in enumerate(units):
            row = existing.pop(unit.code, None)
            if row is None:
                added += 1
                row = UnitRow(code=unit.code, name=unit.name, kind=unit.kind.value)
            elif (row.name, row.kind, row.position, row.active) != (
                unit.name,
                unit.kind.value,
                position,
                True,
            ):
                updated += 1
            row.name, row.kind = unit.name, unit.kind.value
            row.position, row.active = position, True
            self.session.add(row)
        deactivated = 0
        for row in existing.values():  # never deleted: people and history point at them
            if row.active:
                row.active = False
                deactivated += 1
                self.session.add(row)
        self.session.flush()
        return LoadResult(added=added, updated=updated, deactivated=deactivated)


class SqlCatalogue:
    def __init__(self, session: Session, cache: ReferenceCache = NO_CACHE) -> None:
        self.session = session
        self.cache = cache

    def load(self) -> Catalogue:
        return self.cache.get("catalogue", self._load)

    def _load(self) -> Catalogue:
        cards = self.session.exec(
            select(CardTypeRow).where(col(CardTypeRow.active)).order_by(col(CardTypeRow.position))
        ).all()
        items = self.session.exec(
            select(ChecklistItemRow)
            .where(col(ChecklistItemRow.active))
            .order_by(col(ChecklistItemRow.position))
        ).all()
        return Catalogue(
            card_types=tuple(CardType(c.code, c.name) for c in cards),
            items=tuple(
                ChecklistItem(
                    code=i.code,
                    name=i.name,
                    card_type=i.card_type,
                    owed_by=frozenset(filter(None, i.owed_by.split(","))),
                    required=i.required,
                    description=i.description,
                )
                for i in items
            ),
        )

    def replace(self, catalogue: Catalogue) -> LoadResult:
        self.cache.clear()
        added = updated = deactivated = 0
        cards = {r.code: r for r in self.session.exec(select(CardTypeRow))}
        for position, card in enumerate(catalogue.card_types):
            card_row = cards.pop(card.code, None) or CardTypeRow(code=card.code, name=card.name)
            card_row.name, card_row.position, card_row.active = card.name, position, True
            self.session.add(card_row)
        for card_row in cards.values():
            card_row.active = False
            self.session.add(card_row)
        self.session.flush()
        items = {r.code: r for r in self.session.exec(select(ChecklistItemRow))}
        for position, item in enumerate(catalogue.items):
            values: dict[str, object] = dict(
                name=item.name,
                card_type=item.card_type,
                owed_by=",".join(sorted(item.owed_by)),
                required=item.required,
                description=item.description,
                position=position,
                active=True,
            )
            row = items.pop(item.code, None)
            if row is None:
                added += 1
                row = ChecklistItemRow.model_validate({"code": item.code, **values})
            elif any(getattr(row, k) != v for k, v in values.items()):
                updated += 1
                for key, value in values.items():
                    setattr(row, key, value)
            self.session.add(row)
        for row in items.values():  # kept for the history of earlier periods
            if row.active:
                row.active = False
                deactivated += 1
                self.session.add(row)
        self.session.flush()
        return LoadResult(added=added, updated=updated, deactivated=deactivated)


PERSON_COLUMNS = (
    col(PersonRow.id),
    col(PersonRow.name),
    col(PersonRow.unit_code),
    col(PersonRow.telegram_user_id),
    col(PersonRow.telegram_chat_id),
    col(PersonRow.whatsapp_id),
    col(PersonRow.active),
    col(PersonRow.blocked_at),
    col(PersonRow.whatsapp_blocked_at),
    col(PersonRow.notify_via),
)
BLOCKED_COLUMN = {Channel.TELEGRAM: "blocked_at", Channel.WHATSAPP: "whatsapp_blocked_at"}


class SqlPeople:
    def __init__(self, session: Session, units: SqlUnits) -> None:
        self.session = session
        self.units = units

    def _person(self, row: PersonRow) -> Person:
        return self._people([row])[0]

    def _people(self, rows: Sequence[Any]) -> list[Person]:
        """People of many rows with two more queries in all (units, roles), not two each."""
        if not rows:
            return []
        ids = [r.id for r in rows if r.id is not None]
        units = self.units.by_code()
        roles: dict[int, set[Role]] = {}
        for person_id, role in self.session.execute(
            sa_select(col(PersonRoleRow.person_id), col(PersonRoleRow.role)).where(
                col(PersonRoleRow.person_id).in_(ids)
            )
        ):
            roles.setdefault(person_id, set()).add(Role(role))
        return [self._build(r, units[r.unit_code], roles.get(r.id or 0, set())) for r in rows]

    @staticmethod
    def _build(row: Any, unit: Unit, roles: set[Role]) -> Person:
        """From a PersonRow or a row of PERSON_COLUMNS."""
        assert row.id is not None
        return Person(
            id=row.id,
            name=row.name,
            unit=unit,
            roles=frozenset(roles),
            telegram_user_id=row.telegram_user_id,
            telegram_chat_id=row.telegram_chat_id,
            whatsapp_id=row.whatsapp_id,
            active=row.active,
            telegram_blocked=row.blocked_at is not None,
            whatsapp_blocked=row.whatsapp_blocked_at is not None,
            notify_via=Channel(row.notify_via) if row.notify_via in set(Channel) else None,
        )

    def get(self, person_id: int) -> Person | None:
        row = self.session.get(PersonRow, person_id)
        return self._person(row) if row else None

    def by_telegram(self, telegram_user_id: int) -> Person | None:
        """On every update: plain columns, no ORM objects, two small queries."""
        row = self.session.execute(
            sa_select(*PERSON_COLUMNS).where(col(PersonRow.telegram_user_id) == telegram_user_id)
        ).first()
        return self._people([row])[0] if row else None

    def by_whatsapp(self, whatsapp_id: str) -> Person | None:
        row = self.session.execute(
            sa_select(*PERSON_COLUMNS).where(col(PersonRow.whatsapp_id) == whatsapp_id)
        ).first()
        return self._people([row])[0] if row else None

    def _set(self, person_id: int, **values: Any) -> None:
        self.session.execute(update(PersonRow).where(col(PersonRow.id) == person_id).values(values))

    def set_notify_via(self, person_id: int, channel: str) -> None:
        self._set(person_id, notify_via=channel)

    def link_whatsapp(self, person_id: int, whatsapp_id: str) -> None:
        self._set(person_id, whatsapp_id=whatsapp_id, notify_via="whatsapp")

    def whatsapp_seen(self, person_id: int, now: datetime, phone: str | None = None) -> None:
        values: dict[str, Any] = {"whatsapp_seen_at": now}
        if phone:
            values["whatsapp_phone"] = phone
        self._set(person_id, **values)

    def add(
        self,
        name: str,
        unit_code: str,
        roles: frozenset[Role],
        telegram_user_id: int | None,
        telegram_chat_id: int | None,
        now: datetime,
        whatsapp_id: str | None = None,
    ) -> Person:
        row = PersonRow(
            name=name,
            unit_code=unit_code,
            telegram_user_id=telegram_user_id,
            telegram_chat_id=telegram_chat_id,
            whatsapp_id=whatsapp_id,
            created_at=now,
        )
        self.session.add(row)
        self.session.flush()
        assert row.id is not None
        for role in roles:
            self.session.add(PersonRoleRow(person_id=row.id, role=role.value))
        self.session.flush()
        return self._person(row)

    def add_role(self, person_id: int, role: Role) -> None:
        if self.session.get(PersonRoleRow, (person_id, role.value)) is None:
            self.session.add(PersonRoleRow(person_id=person_id, role=role.value))
            self.session.flush()

    def set_chat(self, person_id: int, chat_id: int) -> None:
        row = self.session.get(PersonRow, person_id)
        if row is not None and row.telegram_chat_id != chat_id:
            row.telegram_chat_id = chat_id
            self.session.add(row)
            self.session.flush()

    def with_role(self, role: Role) -> list[Person]:
        rows = self.session.exec(
            select(PersonRow)
            .join(PersonRoleRow, col(PersonRoleRow.person_id) == col(PersonRow.id))
            .where(PersonRoleRow.role == role.value, col(PersonRow.active))
            .order_by(col(PersonRow.id))
        ).all()
        return [p for p in self._people(rows) if not p.blocked]

    def mark_blocked(self, person_id: int, channel: Channel, now: datetime) -> bool:
        row = self.session.get(PersonRow, person_id)
        column = BLOCKED_COLUMN[channel]
        if row is None or getattr(row, column) is not None:
            return False
        setattr(row, column, now)
        self.session.add(row)
        return True

    def unblock(self, person_id: int, channel: Channel) -> None:
        row = self.session.get(PersonRow, person_id)
        column = BLOCKED_COLUMN[channel]
        if row is not None and getattr(row, column) is not None:
            setattr(row, column, None)
            self.session.add(row)

    def all(self) -> list[Person]:
        return self._people(self.session.exec(select(PersonRow).order_by(col(PersonRow.id))).all())


def _invite(row: InviteRow) -> Invite:
    assert row.id is not None
    return Invite(
        id=row.id,
        unit_code=row.unit_code,
        role=Role(row.role),
        name=row.name,
        expires_at=row.expires_at,
        used_at=row.used_at,
    )


class SqlInvites:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        code_hash: str,
        unit_code: str,
        role: Role,
        name: str | None,
        created_by: int | None,
        now: datetime,
        expires_at: datetime,
    ) -> Invite:
        row = InviteRow(
            code_hash=code_hash,
            unit_code=unit_code,
            role=role.value,
            name=name,
            created_by=created_by,
            created_at=now,
            expires_at=expires_at,
        )
        self.session.add(row)
        self.session.flush()
        return _invite(row)

    def by_hash(self, code_hash: str) -> Invite | None:
        row = self.session.exec(select(InviteRow).where(InviteRow.code_hash == code_hash)).first()
        return _invite(row) if row else None

    def created_by(self, invite_id: int) -> int | None:
        row = self.session.get(InviteRow, invite_id)
        return row.created_by if row else None

    def mark_used(self, invite_id: int, person_id: int, now: datetime) -> bool:
        result = self.session.execute(
            update(InviteRow)
            .where(and_(col(InviteRow.id) == invite_id, col(InviteRow.used_at).is_(None)))
            .values(used_at=now, used_by=person_id)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


class SqlAudit:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, event: Event) -> None:
        self.session.add(
            AuditRow(
                at=event.at,
                kind=event.kind.value,
                actor_id=event.actor_id,
                period=event.period,
                unit_code=event.unit_code,
                subject=event.subject,
                version=event.version,
                detail=json.dumps(dict(event.detail), ensure_ascii=False, sort_keys=True),
            )
        )

    def for_period(self, period: str) -> list[Event]:
        a = AuditRow  # column tuples: a national period logs tens of thousands of events
        rows = self.session.execute(
            sa_select(
                col(a.kind),
                col(a.at),
                col(a.actor_id),
                col(a.unit_code),
                col(a.subject),
                col(a.version),
                col(a.detail),
            )
            .where(col(a.period) == period)
            .order_by(col(a.id))
        )
        kinds = {k.value: k for k in EventKind}
        return [
            Event(
                kind=kinds[kind],
                at=at,
                actor_id=actor_id,
                period=period,
                unit_code=unit_code,
                subject=subject,
                version=version,
                detail=json.loads(detail) if detail != "{}" else {},
            )
            for kind, at, actor_id, unit_code, subject, version, detail in rows
        ]


class SqlOutbox:
    def __init__(self, session: Session) -> None:
        self.session = session

    def put(self, message: OutgoingMessage, now: datetime) -> bool:
        """Queue a message; a message with a dedupe key already queued is not queued again."""
        if message.dedupe_key is not None:
            exists = self.session.exec(
                select(OutboxRow.id).where(OutboxRow.dedupe_key == message.dedupe_key)
            ).first()
            if exists is not None:
                return False
        row = OutboxRow(
            person_id=message.person_id,
            text=message.text,
            buttons=json.dumps([[list(b) for b in r] for r in message.buttons]),
            attachments=json.dumps([asdict(a) for a in message.attachments]),
            dedupe_key=message.dedupe_key,
            created_at=now,
            next_attempt_at=now,
        )
        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:  # the same key queued by a concurrent transaction
            return False
        return True

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
                if goes is not wanted and not (goes is None and wanted is Channel.TELEGRAM):
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

    def mark_sending(self, message_id: int, now: datetime) -> None:
        row = self._row(message_id)
        row.sending_since = now
        self.session.add(row)

    def mark_part_sent(self, message_id: int, parts_sent: int) -> None:
        row = self._row(message_id)
        row.parts_sent, row.sending_since = parts_sent, None
        self.session.add(row)

    def mark_sent(self, message_id: int, now: datetime) -> None:
        row = self._row(message_id)
        row.sent_at, row.attempts, row.sending_since = now, row.attempts + 1, None
        self.session.add(row)

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


class SqlLinkCodes:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, person_id: int, code_hash: str, now: datetime, expires_at: datetime) -> None:
        self.session.add(
            LinkCodeRow(
                person_id=person_id, code_hash=code_hash, created_at=now, expires_at=expires_at
            )
        )

    def find(self, code_hash: str) -> tuple[int, int, datetime, datetime | None] | None:
        row = self.session.exec(
            select(LinkCodeRow).where(LinkCodeRow.code_hash == code_hash)
        ).first()
        if row is None or row.id is None:
            return None
        return row.id, row.person_id, row.expires_at, row.used_at

    def mark_used(self, link_id: int, now: datetime) -> bool:
        result = self.session.execute(
            update(LinkCodeRow)
            .where(and_(col(LinkCodeRow.id) == link_id, col(LinkCodeRow.used_at).is_(None)))
            .values(used_at=now)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


class SqlInbound:
    def __init__(self, session: Session) -> None:
        self.session = session

    def first_time(self, channel: str, message_id: str, now: datetime) -> bool:
        try:
            with self.session.begin_nested():
                self.session.add(
                    InboundMessageRow(channel=channel, message_id=message_id, received_at=now)
                )
        except IntegrityError:
            return False
        return True


class SqlDelegations:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        role: Role,
        covered_id: int,
        delegate_id: int,
        start: date,
        end: date,
        by: int | None,
        now: datetime,
    ) -> None:
        self.session.add(
            DelegationRow(
                role=role.value,
                covered_id=covered_id,
                delegate_id=delegate_id,
                start=start,
                end=end,
                created_by=by,
                created_at=now,
            )
        )
        self.session.flush()

    def _active(self, day: date) -> Any:
        return select(DelegationRow).where(
            col(DelegationRow.start) <= day, col(DelegationRow.end) >= day
        )

    def covering(self, delegate_id: int, day: date) -> dict[Role, int]:
        rows = self.session.exec(self._active(day).where(DelegationRow.delegate_id == delegate_id))
        return {Role(r.role): r.covered_id for r in rows}

    def delegates(self, role: Role, day: date) -> list[int]:
        rows = self.session.exec(self._active(day).where(DelegationRow.role == role.value))
        return sorted({r.delegate_id for r in rows})


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


class SqlDaysOff:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> list[date]:
        return [r.day for r in self.session.exec(select(DayOffRow).order_by(col(DayOffRow.day)))]

    def add(self, day: date, note: str) -> None:
        row = self.session.get(DayOffRow, day) or DayOffRow(day=day)
        row.note = note
        self.session.add(row)


class SqlPeriods:
    def __init__(self, session: Session) -> None:
        self.session = session

    @staticmethod
    def _info(row: PeriodRow) -> PeriodInfo:
        return PeriodInfo(Period.parse(row.code), row.opened_at, row.closed_at)

    def get(self, period: Period) -> PeriodInfo | None:
        row = self.session.get(PeriodRow, period.code)
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
        rows = self.session.exec(
            select(PeriodRow)
            .where(col(PeriodRow.closed_at).is_(None))
            .order_by(col(PeriodRow.code))
        )
        return [self._info(r) for r in rows]


def _evidence(f: SubmissionFileRow) -> EvidenceFile:
    return EvidenceFile(
        sha256=f.sha256,
        file_name=f.file_name,
        mime_type=f.mime_type,
        size=f.size,
        telegram_file_id=f.telegram_file_id,
        telegram_file_unique_id=f.telegram_file_unique_id,
    )


def _item_state(row: ItemStateRow) -> ItemState:
    return ItemState(
        period=Period.parse(row.period),
        unit_code=row.unit_code,
        item_code=row.item_code,
        status=ItemStatus(row.status),
        version=row.version,
        delivery=DeliveryKind(row.delivery) if row.delivery else None,
        reason=row.reason,
    )


class SqlItems:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, period: Period, unit_code: str, item_code: str) -> StoredItem:
        row = self.session.exec(
            select(ItemStateRow).where(
                ItemStateRow.period == period.code,
                ItemStateRow.unit_code == unit_code,
                ItemStateRow.item_code == item_code,
            )
        ).first()
        if row is None:
            return StoredItem(None, 0, ItemState(period, unit_code, item_code))
        return StoredItem(row.id, row.rev, _item_state(row))

    def by_id(self, state_id: int) -> StoredItem | None:
        row = self.session.get(ItemStateRow, state_id)
        if row is None or row.item_code == PROVINCIAL_CARD_ITEM:  # cards have their own path
            return None
        return StoredItem(row.id, row.rev, _item_state(row))

    def for_unit(self, period: Period, unit_code: str) -> dict[str, ItemState]:
        rows = self.session.exec(
            select(ItemStateRow).where(
                ItemStateRow.period == period.code,
                ItemStateRow.unit_code == unit_code,
                col(ItemStateRow.item_code) != PROVINCIAL_CARD_ITEM,
            )
        )
        return {r.item_code: _item_state(r) for r in rows}

    def save(self, stored: StoredItem, new: ItemState, now: datetime) -> int:
        values: dict[str, object] = dict(
            status=new.status.value,
            version=new.version,
            delivery=new.delivery.value if new.delivery else None,
            reason=new.reason,
            updated_at=now,
        )
        return self._write(stored, new, values)

    def _write(self, stored: StoredItem, new: ItemState, values: dict[str, object]) -> int:
        if stored.id is None:
            row = ItemStateRow(
                period=new.period.code,
                unit_code=new.unit_code,
                item_code=new.item_code,
                rev=1,
                **values,  # type: ignore[arg-type]
            )
            try:
                with self.session.begin_nested():
                    self.session.add(row)
            except IntegrityError:
                raise ConcurrentChange(new.item_code) from None
            assert row.id is not None
            return row.id
        result = self.session.execute(
            update(ItemStateRow)
            .where(col(ItemStateRow.id) == stored.id, col(ItemStateRow.rev) == stored.rev)
            .values(rev=stored.rev + 1, **values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentChange(new.item_code)
        return stored.id

    def add_submission(
        self,
        state_id: int,
        version: int,
        kind: DeliveryKind,
        note: str,
        by: int,
        now: datetime,
        late: bool,
        files: Sequence[EvidenceFile],
        announced: bool,
    ) -> int:
        row = SubmissionRow(
            item_state_id=state_id,
            version=version,
            kind=kind.value,
            note=note,
            submitted_by=by,
            submitted_at=now,
            late=late,
            announced_at=now if announced else None,
        )
        self.session.add(row)
        self.session.flush()
        assert row.id is not None
        for position, f in enumerate(files):
            if self.session.get(EvidenceFileRow, f.sha256) is None:
                self.session.add(EvidenceFileRow(sha256=f.sha256, size=f.size, first_seen_at=now))
                self.session.flush()
            self.session.add(
                SubmissionFileRow(
                    submission_id=row.id,
                    position=position,
                    sha256=f.sha256,
                    file_name=f.file_name,
                    mime_type=f.mime_type,
                    size=f.size,
                    telegram_file_id=f.telegram_file_id,
                    telegram_file_unique_id=f.telegram_file_unique_id,
                )
            )
        self.session.flush()
        return row.id

    def pending_review(self, period: Period | None = None) -> list[tuple[int, ItemState]]:
        query = (
            select(ItemStateRow)
            .where(
                col(ItemStateRow.status) == ItemStatus.DIKIRIM.value,
                col(ItemStateRow.item_code) != PROVINCIAL_CARD_ITEM,
            )
            .order_by(col(ItemStateRow.updated_at), col(ItemStateRow.id))
        )
        if period is not None:
            query = query.where(col(ItemStateRow.period) == period.code)
        return [(r.id or 0, _item_state(r)) for r in self.session.exec(query)]

    def for_period(self, period: Period) -> list[ItemState]:
        return [r.state for r in self.records(period)]

    def records(self, period: Period) -> list[ItemRecord]:
        # Plain column tuples, not ORM objects: a national period has ~16,000 rows.
        t = ItemStateRow
        rows = self.session.execute(
            sa_select(
                col(t.id),
                col(t.unit_code),
                col(t.item_code),
                col(t.status),
                col(t.version),
                col(t.delivery),
                col(t.reason),
                col(t.updated_at),
            ).where(col(t.period) == period.code, col(t.item_code) != PROVINCIAL_CARD_ITEM)
        )
        statuses = {s.value: s for s in ItemStatus}
        kinds = {k.value: k for k in DeliveryKind}
        return [
            ItemRecord(
                state_id,
                ItemState(
                    period,
                    unit,
                    item,
                    statuses[status],
                    version,
                    kinds[delivery] if delivery else None,
                    reason,
                ),
                updated_at,
            )
            for state_id, unit, item, status, version, delivery, reason, updated_at in rows
        ]

    def approved_files(self, period: Period) -> list[tuple[ItemState, EvidenceFile]]:
        rows = self.session.exec(
            select(ItemStateRow, SubmissionFileRow)
            .join(SubmissionRow, col(SubmissionRow.item_state_id) == col(ItemStateRow.id))
            .join(SubmissionFileRow, col(SubmissionFileRow.submission_id) == col(SubmissionRow.id))
            .where(
                ItemStateRow.period == period.code,
                col(SubmissionRow.version) == col(ItemStateRow.version),
                col(ItemStateRow.status).in_(
                    [
                        ItemStatus.DISETUJUI.value,
                        CardStatus.FINAL.value,
                        CardStatus.ESPIP.value,
                        CardStatus.DATA_DIKIRIM.value,
                        CardStatus.DISERAHKAN.value,
                    ]
                ),
            )
            .order_by(
                col(ItemStateRow.unit_code),
                col(ItemStateRow.item_code),
                col(SubmissionFileRow.position),
            )
        )
        result = []
        for state_row, f in rows:
            state = (
                ItemState(
                    Period.parse(state_row.period),
                    state_row.unit_code,
                    state_row.item_code,
                    ItemStatus.DISETUJUI,
                    state_row.version,
                )
                if state_row.item_code == PROVINCIAL_CARD_ITEM
                else _item_state(state_row)
            )
            result.append(
                (
                    state,
                    _evidence(f),
                )
            )
        return result

    def get_card(self, period: Period, unit_code: str) -> StoredCard:
        row = self.session.exec(
            select(ItemStateRow).where(
                ItemStateRow.period == period.code,
                ItemStateRow.unit_code == unit_code,
                ItemStateRow.item_code == PROVINCIAL_CARD_ITEM,
            )
        ).first()
        if row is None:
            return StoredCard(None, 0, CardState(period))
        state = CardState(
            period=period,
            status=CardStatus(row.status),
            version=row.version,
            stage=row.stage,
            approvals=frozenset(Role(r) for r in row.approvals.split(",") if r),
            reason=row.reason,
        )
        return StoredCard(row.id, row.rev, state)

    def save_card(self, stored: StoredCard, new: CardState, unit_code: str, now: datetime) -> int:
        as_item = StoredItem(
            stored.id, stored.rev, ItemState(new.period, unit_code, PROVINCIAL_CARD_ITEM)
        )
        return self._write(
            as_item,
            ItemState(new.period, unit_code, PROVINCIAL_CARD_ITEM),
            dict(
                status=new.status.value,
                version=new.version,
                delivery=None,
                reason=new.reason,
                stage=new.stage,
                approvals=",".join(sorted(r.value for r in new.approvals)),
                updated_at=now,
            ),
        )

    def unannounced(self, limit: int) -> list[PendingAnnouncement]:
        rows = self.session.exec(
            select(SubmissionRow, ItemStateRow)
            .join(ItemStateRow, col(ItemStateRow.id) == col(SubmissionRow.item_state_id))
            .where(
                col(SubmissionRow.announced_at).is_(None),
                col(SubmissionRow.withdrawn_at).is_(None),
                col(ItemStateRow.status) == ItemStatus.DIKIRIM.value,
                col(ItemStateRow.version) == col(SubmissionRow.version),
            )
            .order_by(col(SubmissionRow.id))
            .limit(limit)
        ).all()
        return [
            PendingAnnouncement(
                submission_id=sub.id or 0,
                state_id=state.id or 0,
                version=sub.version,
                unit_code=state.unit_code,
                item_code=state.item_code,
                late=sub.late,
            )
            for sub, state in rows
        ]

    def mark_announced(self, submission_ids: Sequence[int], now: datetime) -> None:
        if submission_ids:
            self.session.execute(
                update(SubmissionRow)
                .where(col(SubmissionRow.id).in_(list(submission_ids)))
                .values(announced_at=now)
            )

    def withdraw(self, state_id: int, version: int, now: datetime) -> None:
        self.session.execute(
            update(SubmissionRow)
            .where(
                col(SubmissionRow.item_state_id) == state_id,
                col(SubmissionRow.version) == version,
            )
            .values(withdrawn_at=now)
        )

    def submission(self, state_id: int, version: int) -> Submission | None:
        row = self.session.exec(
            select(SubmissionRow).where(
                SubmissionRow.item_state_id == state_id, SubmissionRow.version == version
            )
        ).first()
        if row is None or row.id is None:
            return None
        files = self.session.exec(
            select(SubmissionFileRow)
            .where(SubmissionFileRow.submission_id == row.id)
            .order_by(col(SubmissionFileRow.position))
        )
        return Submission(
            id=row.id,
            version=row.version,
            kind=DeliveryKind(row.kind),
            note=row.note,
            submitted_by=row.submitted_by,
            submitted_at=row.submitted_at,
            late=row.late,
            withdrawn_at=row.withdrawn_at,
            files=tuple(_evidence(f) for f in files),
        )

"""People: their roles, their channels (addresses, seen and blocked per channel)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from chatbot.domain.channels import Channel
from chatbot.domain.people import Person
from chatbot.domain.roles import Role
from chatbot.domain.units import Unit
from storage.models import (
    AuditRow,
    PersonRoleRow,
    PersonRow,
)
from storage.repositories._sql import unsynchronized
from storage.repositories.reference import SqlUnits

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


def _by(column: Any) -> Any:
    """A person with a row per role held, by ``column`` (bound as ``key``)."""
    return (
        sa_select(*PERSON_COLUMNS, col(PersonRoleRow.role).label("held_role"))
        .outerjoin(PersonRoleRow, col(PersonRoleRow.person_id) == col(PersonRow.id))
        .where(column == bindparam("key"))
        .order_by(col(PersonRow.id))
    )


# the statements read on every update, built once (SQLAlchemy's building of a statement
# costs several times its execution on SQLite); each call binds its values
_ONE = {
    "id": _by(col(PersonRow.id)),
    "telegram_user_id": _by(col(PersonRow.telegram_user_id)),
    "whatsapp_id": _by(col(PersonRow.whatsapp_id)),
}
# a WhatsApp message's sender seen now (their number, when WhatsApp gives it, kept)
_SEEN = unsynchronized(
    update(PersonRow)
    .where(col(PersonRow.id) == bindparam("p_id"))
    .values(
        whatsapp_seen_at=bindparam("p_now", type_=PersonRow.__table__.c.whatsapp_seen_at.type),  # type: ignore[attr-defined]
        whatsapp_phone=func.coalesce(bindparam("p_phone"), col(PersonRow.whatsapp_phone)),
    )
)
# active holders of any of ``roles``, with a row per role they hold
_WITH_ROLES = (
    sa_select(*PERSON_COLUMNS, col(PersonRoleRow.role).label("held_role"))
    .join(PersonRoleRow, col(PersonRoleRow.person_id) == col(PersonRow.id))
    .where(
        col(PersonRow.id).in_(
            sa_select(col(PersonRoleRow.person_id)).where(
                col(PersonRoleRow.role).in_(bindparam("roles", expanding=True))
            )
        ),
        col(PersonRow.active),
    )
    .order_by(col(PersonRow.id))
)


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

    def _one(self, by: str, key: object) -> Person | None:
        """One person with their roles in one query (plain columns, no ORM objects, the
        statement built once): what every update asks first."""
        found = self._with_roles(_ONE[by], {"key": key})
        return found[0] if found else None

    def _with_roles(self, query: Any, values: dict[str, Any] | None = None) -> list[Person]:
        """People of a query of PERSON_COLUMNS and ``held_role`` (a row per role held), in
        its order."""
        first: dict[int, Any] = {}
        held: dict[int, set[Role]] = {}
        for row in self.session.execute(query, values):
            first.setdefault(row.id, row)
            roles = held.setdefault(row.id, set())
            if row.held_role is not None:
                roles.add(Role(row.held_role))
        units = self.units.by_code() if first else {}
        return [self._build(r, units[r.unit_code], held[i]) for i, r in first.items()]

    def get(self, person_id: int) -> Person | None:
        return self._one("id", person_id)

    def by_telegram(self, telegram_user_id: int) -> Person | None:
        return self._one("telegram_user_id", telegram_user_id)

    def by_whatsapp(self, whatsapp_id: str) -> Person | None:
        return self._one("whatsapp_id", whatsapp_id)

    def _set(self, person_id: int, **values: Any) -> None:
        self.session.execute(update(PersonRow).where(col(PersonRow.id) == person_id).values(values))

    def set_notify_via(self, person_id: int, channel: str) -> None:
        self._set(person_id, notify_via=channel)

    def link_whatsapp(self, person_id: int, whatsapp_id: str) -> None:
        self._set(person_id, whatsapp_id=whatsapp_id, notify_via="whatsapp")

    def whatsapp_seen(self, person_id: int, now: datetime, phone: str | None = None) -> None:
        """On every WhatsApp message: one statement, built once."""
        self.session.execute(_SEEN, {"p_id": person_id, "p_now": now, "p_phone": phone or None})

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
        return self.with_roles((role,))[role]

    def with_roles(self, roles: Collection[Role]) -> dict[Role, list[Person]]:
        """Per role, its active holders whom some channel reaches, in one query (plain
        columns, each with all their roles): who is asked to act is read on most steps."""
        people = self._with_roles(_WITH_ROLES, {"roles": [r.value for r in roles]})
        return {role: [p for p in people if role in p.roles and not p.blocked] for role in roles}

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

    def set_active(self, person_id: int, active: bool) -> None:
        self._set(person_id, active=active)

    def place(self, person_id: int, unit_code: str, roles: frozenset[Role]) -> None:
        """The person's unit and roles from now on (a transfer, or a role changed)."""
        self._set(person_id, unit_code=unit_code)
        self.session.execute(delete(PersonRoleRow).where(col(PersonRoleRow.person_id) == person_id))
        for role in roles:
            self.session.add(PersonRoleRow(person_id=person_id, role=role.value))
        self.session.flush()

    def last_seen(self) -> dict[int, datetime]:
        """Each person's last recorded activity: their latest entry in the audit log, or
        their latest WhatsApp message when later."""
        seen: dict[int, datetime] = {}
        for actor, at in self.session.execute(
            sa_select(col(AuditRow.actor_id), func.max(col(AuditRow.at)))
            .where(col(AuditRow.actor_id).is_not(None))
            .group_by(col(AuditRow.actor_id))
        ):
            seen[int(actor)] = at
        for person_id, at in self.session.execute(
            sa_select(col(PersonRow.id), col(PersonRow.whatsapp_seen_at)).where(
                col(PersonRow.whatsapp_seen_at).is_not(None)
            )
        ):
            if person_id not in seen or at > seen[person_id]:
                seen[person_id] = at
        return seen

    def lock_all(self) -> None:
        """Changes of people one at a time (PostgreSQL: every person row locked until the
        transaction ends), so two admins never both leave a role to the other."""
        self.session.execute(sa_select(col(PersonRow.id)).with_for_update())

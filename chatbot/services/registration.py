"""Joining by invite: admins make one-time codes; a person redeems one to get a unit and role."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from chatbot.domain import invites
from chatbot.domain.calendar import Period, SopCalendar
from chatbot.domain.channels import Channel
from chatbot.domain.errors import (
    AccessEnded,
    AlreadyInOtherUnit,
    AlreadyLinked,
    InviteExpired,
    InviteInvalid,
    InviteUsed,
    NotYourRole,
    RoleNotForUnit,
    UnknownUnit,
)
from chatbot.domain.events import Event, EventKind
from chatbot.domain.people import Person
from chatbot.domain.roles import UNIT_KIND_OF_ROLE, Permission, Role
from chatbot.domain.text import MAX_NAME, one_line
from chatbot.domain.units import Unit
from chatbot.services import acting, notify
from chatbot.services.calendar import CalendarSource
from chatbot.services.ports import Clock, UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class IssuedInvite:
    code: str
    unit: Unit
    role: Role
    name: str | None
    expires_at: datetime

    @property
    def display(self) -> str:
        return invites.display(self.code)


@dataclass(frozen=True, slots=True)
class Joined:
    person: Person
    role: Role
    new_person: bool
    period: Period | None = None  # the open period they now deliver for (its kick-off queued)
    deadline: date | None = None


LINK_CODE_TTL = timedelta(minutes=30)
MAX_MESSAGE_ID = 160  # the inbound_message column


@dataclass(frozen=True, slots=True)
class ChannelUser:
    """Who redeems an invite: a Telegram user and chat, or a WhatsApp user."""

    telegram_user_id: int | None = None
    chat_id: int | None = None
    whatsapp_id: str | None = None
    whatsapp_phone: str | None = None


def late_kickoff(
    uow: UnitOfWork, person: Person, now: datetime, cal: SopCalendar
) -> tuple[Period | None, date | None]:
    """Someone who joins (or gains a role, or moves to a unit) after the kick-off gets it at
    once, for each open period; the oldest, the one their /kirim opens on, is named in the
    welcome."""
    if not person.may(Permission.SUBMIT_EVIDENCE):
        return None, None
    catalogue = uow.catalogue.load()
    if not catalogue.items_for(person.unit):
        return None, None
    first: tuple[Period | None, date | None] = (None, None)
    for info in sorted(uow.periods.open_periods(), key=lambda i: i.period):
        deadline = cal.schedule(info.period).submission_deadline
        earlier = first[0]
        notify.kickoff_to(uow, now, person, info.period, deadline, catalogue, earlier)
        if earlier is None:
            first = (info.period, deadline)
    return first


class RegistrationService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        invite_working_days: int,
        calendar: CalendarSource,
        timezone: ZoneInfo,
    ) -> None:
        self.calendar = calendar
        self.invite_working_days = invite_working_days
        self.timezone = timezone
        self.uow_factory = uow_factory
        self.clock = clock

    def create_invite(
        self, unit_code: str, role_text: str, name: str | None = None, by: Person | None = None
    ) -> IssuedInvite:
        """``by`` is the admin in the chat; None for the command line (the server's operator)."""
        if by is not None and not by.may(Permission.INVITE):
            raise NotYourRole(Permission.INVITE.value)
        role = Role.parse(role_text)
        now = self.clock()
        with self.uow_factory() as uow:
            unit = uow.units.get(unit_code.strip().upper())
            if unit is None:
                raise UnknownUnit(unit_code)
            if UNIT_KIND_OF_ROLE[role] is not unit.kind:
                raise RoleNotForUnit(f"{role.value} / {unit.code}")
            code = invites.new_code()
            invite = uow.invites.add(
                code_hash=invites.code_hash(code),
                unit_code=unit.code,
                role=role,
                name=one_line(name or "", MAX_NAME) or None,
                created_by=by.id if by else None,
                now=now,
                expires_at=self.invite_expiry(now),
            )
            uow.audit.append(
                Event(
                    kind=EventKind.UNDANGAN_DIBUAT,
                    at=now,
                    actor_id=by.id if by else None,
                    unit_code=unit.code,
                    subject=f"undangan:{invite.id}",
                    detail={"peran": role.value},
                )
            )
            uow.commit()
        return IssuedInvite(code, unit, role, invite.name, invite.expires_at)

    def redeem(
        self, code_text: str, telegram_user_id: int, chat_id: int, display_name: str
    ) -> Joined:
        return self._redeem(code_text, display_name, ChannelUser(telegram_user_id, chat_id))

    def redeem_whatsapp(
        self, code_text: str, whatsapp_id: str, display_name: str, phone: str | None = None
    ) -> Joined:
        who = ChannelUser(whatsapp_id=whatsapp_id, whatsapp_phone=phone)
        return self._redeem(code_text, display_name, who)

    def _redeem(self, code_text: str, display_name: str, who: ChannelUser) -> Joined:
        now = self.clock()
        code = invites.normalize(code_text)
        with self.uow_factory() as uow:
            invite = uow.invites.by_hash(invites.code_hash(code))
            if invite is None:
                raise InviteInvalid("unknown")
            invite.check_redeemable(now)
            person = (
                uow.people.by_telegram(who.telegram_user_id)
                if who.telegram_user_id is not None
                else uow.people.by_whatsapp(who.whatsapp_id or "")
            )
            if person is not None and not person.active:
                raise AccessEnded()
            new_person = person is None
            if person is None:
                person = uow.people.add(
                    name=invite.name or one_line(display_name, MAX_NAME) or "Tanpa nama",
                    unit_code=invite.unit_code,
                    roles=frozenset({invite.role}),
                    telegram_user_id=who.telegram_user_id,
                    telegram_chat_id=who.chat_id,
                    whatsapp_id=who.whatsapp_id,
                    now=now,
                )
            elif person.unit.code != invite.unit_code:
                raise AlreadyInOtherUnit(person.unit.code)
            else:
                uow.people.add_role(person.id, invite.role)
                if who.chat_id is not None:
                    uow.people.set_chat(person.id, who.chat_id)
            if who.whatsapp_id is not None:
                uow.people.whatsapp_seen(person.id, now, who.whatsapp_phone)
            acting.forget()  # a role held by one more: what this step read is read again
            if not uow.invites.mark_used(invite.id, person.id, now):
                raise InviteUsed()  # redeemed by someone else a moment ago
            person = uow.people.get(person.id)
            assert person is not None
            uow.audit.append(
                Event(
                    kind=EventKind.ANGGOTA_BERGABUNG,
                    at=now,
                    actor_id=person.id,
                    unit_code=person.unit.code,
                    subject=f"undangan:{invite.id}",
                    detail={"peran": invite.role.value},
                )
            )
            inviter = uow.invites.created_by(invite.id)
            if inviter is not None and inviter != person.id:
                notify.joined(uow, now, inviter, person, invite.role, invite.id)
            period, deadline = self._late_kickoff(uow, person, now)
            uow.commit()
        return Joined(person, invite.role, new_person, period, deadline)

    def invite_expiry(self, now: datetime) -> datetime:
        """The same time of day, ``invite_working_days`` working days later (weekends,
        holidays and cuti bersama not counted)."""
        local = now.astimezone(self.timezone)
        day = self.calendar().working_days.shift(local.date(), self.invite_working_days)
        return datetime.combine(day, local.timetz()).astimezone(now.tzinfo)

    def _late_kickoff(
        self, uow: UnitOfWork, person: Person, now: datetime
    ) -> tuple[Period | None, date | None]:
        return late_kickoff(uow, person, now, self.calendar())

    def person(self, telegram_user_id: int) -> Person | None:
        """The person behind a chat user (None for a stranger); someone who had blocked the
        bot and writes again is reachable again. A person whose access ended (deactivated)
        raises ``AccessEnded``."""
        with self.uow_factory() as uow:
            person = uow.people.by_telegram(telegram_user_id)
            if person is None:
                return None
            if not person.active:
                raise AccessEnded()
            if person.telegram_blocked:
                uow.people.unblock(person.id, Channel.TELEGRAM)
                uow.commit()
            return person

    def create_link_code(self, person: Person) -> tuple[str, datetime]:
        """A one-time code the person sends from WhatsApp to link it to this account."""
        now = self.clock()
        code = invites.new_code()
        expires = now + LINK_CODE_TTL
        with self.uow_factory() as uow:
            uow.link_codes.add(person.id, invites.link_hash(code), now, expires)
            uow.commit()
        return invites.display(code), expires

    def link_whatsapp(self, code_text: str, whatsapp_id: str, phone: str | None = None) -> Person:
        """Link a WhatsApp account to the person who asked for the code; notifications then
        go to WhatsApp. Refused for a code unknown, used or expired, or an account that is
        another person's already."""
        now = self.clock()
        with self.uow_factory() as uow:
            found = uow.link_codes.find(invites.link_hash(code_text))
            if found is None:
                raise InviteInvalid("unknown")
            link_id, person_id, expires_at, used_at = found
            if used_at is not None:
                raise InviteUsed()
            if now >= expires_at:
                raise InviteExpired()
            holder = uow.people.get(person_id)
            if holder is None or not holder.active:
                raise AccessEnded()
            other = uow.people.by_whatsapp(whatsapp_id)
            if other is not None and other.id != person_id:
                raise AlreadyLinked(str(other.id))
            if not uow.link_codes.mark_used(link_id, now):
                raise InviteUsed()
            uow.people.link_whatsapp(person_id, whatsapp_id)
            uow.people.whatsapp_seen(person_id, now, phone)
            person = uow.people.get(person_id)
            assert person is not None
            uow.audit.append(
                Event(
                    kind=EventKind.AKUN_DITAUTKAN,
                    at=now,
                    actor_id=person.id,
                    unit_code=person.unit.code,
                    subject="whatsapp",
                )
            )
            uow.commit()
        return person

    def notify_via(self, person: Person, channel: str) -> None:
        """Notifications go to this channel from now on (for a person on both)."""
        with self.uow_factory() as uow:
            uow.people.set_notify_via(person.id, channel)
            uow.commit()

    def whatsapp_person(self, whatsapp_id: str, phone: str | None = None) -> Person | None:
        """The person behind a WhatsApp user (keyed by WhatsApp's business-scoped user id),
        noted as seen now (it opens WhatsApp's 24-hour window for free-form messages), with the
        phone number when WhatsApp gives it."""
        with self.uow_factory() as uow:
            person = uow.people.by_whatsapp(whatsapp_id)
            if person is None:
                return None
            if not person.active:
                raise AccessEnded()
            _seen_on_whatsapp(uow, person, self.clock(), phone)
            uow.commit()
            return person

    def whatsapp_arrival(
        self, channel: str, message_id: str, whatsapp_id: str, phone: str | None = None
    ) -> tuple[bool, Person | None]:
        """A WhatsApp message arrives: (fresh, person) in one transaction, its id recorded
        (False for one seen before: a replay, nobody looked up) and the person behind it
        noted as seen (``whatsapp_person``); ``AccessEnded`` for a person deactivated (the id
        stays recorded)."""
        with self.uow_factory() as uow:
            if not uow.inbound.first_time(channel, _kept_id(message_id), self.clock()):
                uow.commit()
                return False, None
            person = uow.people.by_whatsapp(whatsapp_id)
            if person is not None and not person.active:
                uow.commit()
                raise AccessEnded()
            if person is not None:
                _seen_on_whatsapp(uow, person, self.clock(), phone)
            uow.commit()
            return True, person

    def units(self) -> list[Unit]:
        with self.uow_factory() as uow:
            return uow.units.all()

    def people(self) -> list[Person]:
        with self.uow_factory() as uow:
            return uow.people.all()


def _kept_id(message_id: str) -> str:
    """A channel's message id as recorded: whole, or as its hash when too long (still
    unique)."""
    if len(message_id) > MAX_MESSAGE_ID:
        return "sha256:" + hashlib.sha256(message_id.encode()).hexdigest()
    return message_id


def _seen_on_whatsapp(uow: UnitOfWork, person: Person, now: datetime, phone: str | None) -> None:
    """Noted as seen (it opens WhatsApp's 24-hour window); writing again makes WhatsApp reach
    someone it had refused."""
    uow.people.whatsapp_seen(person.id, now, phone)
    if person.whatsapp_blocked:
        uow.people.unblock(person.id, Channel.WHATSAPP)

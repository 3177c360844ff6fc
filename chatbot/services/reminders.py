"""Deadline warnings: the day's plan from the pure rules, written to the outbox once per person
per day, each rule recorded (period, rule, person, day) in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from zoneinfo import ZoneInfo

from chatbot.domain.calendar import Period
from chatbot.domain.people import Person
from chatbot.domain.reminders import (
    Audience,
    PeriodSnapshot,
    Reminder,
    Rule,
    UnitSnapshot,
    plan,
    rules_on,
)
from chatbot.domain.roles import SUBMITTING_ROLES, Role
from chatbot.domain.units import UnitKind
from chatbot.domain.workflow import ItemStatus
from chatbot.services import acting, notify
from chatbot.services.calendar import CalendarSource
from chatbot.services.ports import Clock, UnitOfWorkFactory
from chatbot.services.status import StatusService


@dataclass(frozen=True, slots=True)
class PlannedMessage:
    person: Person
    reminder: Reminder
    text: str


@dataclass(frozen=True, slots=True)
class SendReport:
    day: date
    queued: int
    already_sent: int


class ReminderService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        calendar: CalendarSource,
        status: StatusService,
        timezone: ZoneInfo,
        escalation: tuple[Role, ...] = (Role.KABAG_HSDM,),
        send_at: time = time(8, 0),
        office_end: time = time(16, 0),
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.calendar = calendar
        self.status = status
        self.timezone = timezone
        self.escalation = escalation
        self.send_at = send_at
        self.office_end = office_end

    def today(self) -> date:
        return self.clock().astimezone(self.timezone).date()

    def _snapshot(self, period: Period) -> PeriodSnapshot:
        status = self.status.period_status(period, with_events=False)
        units = tuple(
            UnitSnapshot(
                unit=u.unit,
                missing=u.progress.missing,
                returned=tuple(
                    (line.item, line.reason or "")
                    for line in u.lines
                    if line.status is ItemStatus.DIKEMBALIKAN
                ),
                card=u.card.status if u.card else None,
                percent=u.progress.percent,
                waiting=tuple(
                    line.item
                    for line in u.lines
                    if line.status is ItemStatus.DIKIRIM and line.item in u.progress.missing
                ),
            )
            for u in status.units
        )
        pending = sum(
            1
            for u in status.units
            for line in (*u.lines, *([u.card] if u.card else []))
            if line.status is ItemStatus.DIKIRIM
        )
        return PeriodSnapshot(period, units, pending, status.card, status.chain, status.closed)

    def _audience(self, day: date) -> tuple[Audience, dict[int, Person]]:
        with self.uow_factory() as uow:
            people: dict[int, Person] = {}
            submitters: dict[str, list[int]] = {}
            for role in sorted(SUBMITTING_ROLES):
                for person in uow.people.with_role(role):
                    people[person.id] = person
                    if role is Role.SATGAS_PROV and person.unit.kind is not UnitKind.PROVINSI:
                        continue
                    submitters.setdefault(person.unit.code, [])
                    if person.id not in submitters[person.unit.code]:
                        submitters[person.unit.code].append(person.id)
            holders: dict[Role, list[int]] = {}
            for role in Role:
                found = acting.holders(uow, role, day)
                holders[role] = [p.id for p in found]
                people.update({p.id: p for p in found})
        audience = Audience(submitters, holders, self.escalation)
        return audience, people

    def plan(self, day: date) -> list[PlannedMessage]:
        cal = self.calendar()
        periods = [p for p in self.status.periods() if rules_on(cal, p, day)]
        snapshots = [self._snapshot(p) for p in periods]
        audience, people = self._audience(day)
        reminders = plan(cal, day, snapshots, audience)
        return [
            PlannedMessage(
                people[r.person_id], r, notify.reminder_text(people[r.person_id], r, cal)
            )
            for r in reminders
            if r.person_id in people
        ]

    def send(self, day: date) -> SendReport:
        """Queue the day's plan; what was recorded before (restart, second instance) is not
        queued again."""
        now = self.clock()
        queued = skipped = 0
        for message in self.plan(day):
            with self.uow_factory() as uow:
                done = uow.reminders.logged(message.person.id, day)
                todo = message.reminder.rules - done
                if not todo or not notify.reminder(uow, now, day, message.person, message.text):
                    skipped += 1
                    continue
                for period, rule in sorted(todo):
                    uow.reminders.record(period, rule.value, message.person.id, day, now)
                uow.commit()
                queued += 1
        return SendReport(day, queued, skipped)

    def due_now(self) -> date | None:
        """Today, when it is time to send (after the hour, within office hours), else None."""
        local = self.clock().astimezone(self.timezone)
        if self.send_at <= local.time() <= self.office_end:
            return local.date()
        return None

    def month_plan(self, period: Period) -> list[tuple[date, tuple[Rule, ...]]]:
        """Which rules may fire on which day of the period's report month (for /jadwal)."""
        cal = self.calendar()
        s = cal.schedule(period)
        day = s.kickoff
        result = []
        while day.month == s.kickoff.month:
            rules = rules_on(cal, period, day)
            if rules:
                result.append((day, rules))
            day = date.fromordinal(day.toordinal() + 1)
        return result

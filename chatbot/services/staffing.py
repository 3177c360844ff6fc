"""People who come and go (mutasi): deactivate, reactivate, transfer, replace, and the
directory. Each change is one transaction: the person's access and roles, their open work
handed to whoever now holds their role (drafts, the requests still waiting for them), the
audit log, and the notices to the satgas, the successor and the person."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from chatbot.domain.calendar import Period
from chatbot.domain.duties import Duties
from chatbot.domain.errors import (
    LeavesRoleVacant,
    NotYourRole,
    PersonChangeRefused,
    RoleNotForUnit,
    UnknownPerson,
    UnknownUnit,
)
from chatbot.domain.events import Event, EventKind
from chatbot.domain.people import Person
from chatbot.domain.roles import SUBMITTING_ROLES, UNIT_KIND_OF_ROLE, Permission, Role
from chatbot.domain.staffing import duty_conflict, left_vacant, successor
from chatbot.services import acting, notify
from chatbot.services.calendar import CalendarSource
from chatbot.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from chatbot.services.registration import late_kickoff
from chatbot.services.views import Change, ChangeKind, DraftItem, Entry, Plan

EVENT_OF = {
    ChangeKind.DEACTIVATE: EventKind.ANGGOTA_DINONAKTIFKAN,
    ChangeKind.REACTIVATE: EventKind.ANGGOTA_DIAKTIFKAN,
    ChangeKind.MOVE: EventKind.ANGGOTA_DIPINDAHKAN,
    ChangeKind.REPLACE: EventKind.ANGGOTA_DIGANTIKAN,
}


def subject_of(person_id: int) -> str:
    return f"orang:{person_id}"


class StaffingService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        calendar: CalendarSource,
        chain_roles: tuple[Role, ...],
        duties: Duties,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.calendar = calendar
        self.chain_roles = chain_roles  # the card's paraf and signature roles
        self.duties = duties

    # ------------------------------------------------------------------ reading

    def directory(self, by: Person | None = None) -> list[Entry]:
        """Everyone, active first, by unit and name, with their last recorded activity."""
        self._allowed(by)
        with self.uow_factory() as uow:
            people, seen, units = uow.people.all(), uow.people.last_seen(), uow.units.all()
        order = {u.code: i for i, u in enumerate(units)}
        people.sort(key=lambda p: (not p.active, order.get(p.unit.code, 0), p.name.lower()))
        return [Entry(p, seen.get(p.id)) for p in people]

    def get(self, person_id: int) -> Person:
        with self.uow_factory() as uow:
            person = uow.people.get(person_id)
        if person is None:
            raise UnknownPerson(str(person_id))
        return person

    def movable(self, person_id: int, by: Person | None = None) -> Person:
        """The person, when they may be moved (by buttons: asked before the units)."""
        person = self.get(person_id)
        if by is not None and by.id == person.id:
            raise PersonChangeRefused("self")
        if not person.active:
            raise PersonChangeRefused("inactive")
        return person

    def history(self, person_id: int) -> list[Event]:
        with self.uow_factory() as uow:
            return uow.audit.about(subject_of(person_id))

    # ------------------------------------------------------------------ what a change does

    def plan(
        self,
        kind: ChangeKind,
        person_id: int,
        unit_code: str | None = None,
        roles: Iterable[str] = (),
        successor_id: int | None = None,
        by: Person | None = None,
    ) -> Plan:
        """What the change would do, refused as the change itself would be (but for a role
        left vacant, which the plan names)."""
        self._allowed(by)
        with self.uow_factory() as uow:
            return self._plan(uow, kind, person_id, unit_code, roles, successor_id, by)

    def _plan(
        self,
        uow: UnitOfWork,
        kind: ChangeKind,
        person_id: int,
        unit_code: str | None,
        roles: Iterable[str],
        successor_id: int | None,
        by: Person | None,
    ) -> Plan:
        person = uow.people.get(person_id)
        if person is None:
            raise UnknownPerson(str(person_id))
        if by is not None and by.id == person.id and kind is not ChangeKind.REACTIVATE:
            raise PersonChangeRefused("self")
        everyone = uow.people.all()
        taker: Person | None = None
        if kind is ChangeKind.DEACTIVATE:
            if not person.active:
                raise PersonChangeRefused("already_inactive")
            after = replace(person, active=False)
            leaving = person.roles
        elif kind is ChangeKind.REACTIVATE:
            if person.active:
                raise PersonChangeRefused("already_active")
            after, leaving = replace(person, active=True), frozenset()
        elif kind is ChangeKind.MOVE:
            if not person.active:
                raise PersonChangeRefused("inactive")
            after = self._moved(uow, person, unit_code, roles)
            if after.unit.code == person.unit.code and after.roles == person.roles:
                raise PersonChangeRefused("unchanged")
            self._separate(person, person.roles, after.roles)
            leaving = frozenset(
                r for r in person.roles if r not in after.roles or after.unit != person.unit
            )
        else:
            taker = uow.people.get(successor_id) if successor_id is not None else None
            if taker is None:
                raise UnknownPerson(str(successor_id))
            if taker.id == person.id:
                raise PersonChangeRefused("same_person")
            if not taker.active:
                raise PersonChangeRefused("successor_inactive")
            if taker.unit.code != person.unit.code:
                raise PersonChangeRefused("other_unit")
            if not person.roles:
                raise PersonChangeRefused("no_roles")
            self._separate(taker, taker.roles, taker.roles | person.roles)
            after, leaving = replace(person, active=False), person.roles
            # the successor holds the roles from now on: nothing is left vacant
            everyone = [
                replace(taker, roles=taker.roles | person.roles) if p.id == taker.id else p
                for p in everyone
            ]
        vacant = (
            left_vacant(person, after.roles if after.active else frozenset(), after.unit, everyone)
            if person.active
            else []
        )
        if taker is None and leaving:
            taker = successor(person, leaving, everyone)
        hands_drafts = kind in (ChangeKind.DEACTIVATE, ChangeKind.REPLACE) or (
            kind is ChangeKind.MOVE
            and (after.unit != person.unit or not (after.roles & SUBMITTING_ROLES))
        )
        held = (
            self._named(
                uow,
                [
                    (info.period, code)
                    for info in sorted(uow.periods.open_periods(), key=lambda i: i.period)
                    for code in uow.drafts.of_person(person.id, info.period)
                ],
            )
            if hands_drafts
            else ()
        )
        # a deactivated person's drafts wait for a successor; one who moved to another unit
        # cannot keep the old unit's (they would be sent as the new unit's): let go of them
        moved_away = kind is ChangeKind.MOVE and after.unit != person.unit
        drafts = held if taker is not None else ()
        dropped = held if taker is None and moved_away else ()
        second = self.duties.second_reviewer
        waiting = notify.waiting_for(uow, person, leaving, everyone, second) if leaving else 0
        changes = len(uow.audit.about(subject_of(person.id)))
        return Plan(
            kind,
            person,
            after,
            taker,
            drafts,
            tuple(vacant),
            leaving,
            waiting,
            changes,
            dropped,
            tuple(everyone),
        )

    @staticmethod
    def _named(uow: UnitOfWork, drafts: Iterable[tuple[Period, str]]) -> tuple[DraftItem, ...]:
        catalogue = uow.catalogue.load()
        named = []
        for period, code in drafts:
            item = catalogue.item(code) if code else None
            named.append(DraftItem(period, code, item.name if item else ""))
        return tuple(named)

    def _separate(self, who: Person, before: frozenset[Role], after: frozenset[Role]) -> None:
        """Refused: a change that gives ``who`` two roles they must not hold together."""
        conflict = duty_conflict(after, self.chain_roles, self.duties)
        if conflict is not None and conflict != duty_conflict(
            before, self.chain_roles, self.duties
        ):
            raise PersonChangeRefused("duties", person=who, roles=conflict)

    def _moved(
        self, uow: UnitOfWork, person: Person, unit_code: str | None, roles: Iterable[str]
    ) -> Person:
        unit = uow.units.get((unit_code or person.unit.code).strip().upper())
        if unit is None:
            raise UnknownUnit(unit_code or "")
        chosen = frozenset(Role.parse(r) for r in roles) or person.roles
        for role in chosen:
            if UNIT_KIND_OF_ROLE[role] is not unit.kind:
                raise RoleNotForUnit(f"{role.value} / {unit.code}")
        return replace(person, unit=unit, roles=chosen)

    # ------------------------------------------------------------------ the changes

    def deactivate(
        self,
        person_id: int,
        by: Person | None = None,
        confirm_vacant: bool = False,
        seen: int | None = None,
    ) -> Change:
        return self.change(
            ChangeKind.DEACTIVATE, person_id, by=by, confirm_vacant=confirm_vacant, seen=seen
        )

    def reactivate(
        self, person_id: int, by: Person | None = None, seen: int | None = None
    ) -> Change:
        return self.change(ChangeKind.REACTIVATE, person_id, by=by, seen=seen)

    def move(
        self,
        person_id: int,
        unit_code: str | None,
        roles: Iterable[str],
        by: Person | None = None,
        confirm_vacant: bool = False,
        seen: int | None = None,
    ) -> Change:
        return self.change(
            ChangeKind.MOVE,
            person_id,
            unit_code,
            roles,
            by=by,
            confirm_vacant=confirm_vacant,
            seen=seen,
        )

    def replace(
        self,
        person_id: int,
        successor_id: int,
        by: Person | None = None,
        seen: int | None = None,
    ) -> Change:
        return self.change(
            ChangeKind.REPLACE, person_id, successor_id=successor_id, by=by, seen=seen
        )

    def change(
        self,
        kind: ChangeKind,
        person_id: int,
        unit_code: str | None = None,
        roles: Iterable[str] = (),
        successor_id: int | None = None,
        by: Person | None = None,
        confirm_vacant: bool = False,
        seen: int | None = None,
        operator: str | None = None,
    ) -> Change:
        """``by``: the admin in the chat; None for the command line (the server's operator,
        ``operator`` the account that ran it, kept in the record).
        A change that leaves a role nobody holds raises ``LeavesRoleVacant`` unless
        ``confirm_vacant``. ``seen``: the number of changes of the person the confirmation
        was shown after; another since (an old button pressed again) refuses it."""
        self._allowed(by)
        now = self.clock()
        with self.uow_factory() as uow:
            uow.people.lock_all()  # the plan read under the lock is the one applied
            plan = self._plan(uow, kind, person_id, unit_code, roles, successor_id, by)
            if seen is not None and seen != plan.changes:
                raise PersonChangeRefused("stale")
            if plan.vacant and not confirm_vacant:
                raise LeavesRoleVacant(
                    ",".join(v.role.value for v in plan.vacant), vacant=plan.vacant
                )
            person, after, taker = plan.person, plan.after, plan.successor
            if kind is ChangeKind.REPLACE:
                assert taker is not None
                uow.people.place(taker.id, taker.unit.code, taker.roles | person.roles)
                taker = uow.people.get(taker.id)
            if after.active != person.active:
                uow.people.set_active(person.id, after.active)
            if kind is ChangeKind.MOVE:
                uow.people.place(person.id, after.unit.code, after.roles)
            drafts: tuple[DraftItem, ...] = ()
            forwarded = 0
            if taker is not None and plan.drafts:
                drafts = self._named(uow, uow.drafts.hand_over(person.id, taker.id, now))
            for let_go in plan.dropped:
                uow.drafts.put(person.id, let_go.period, let_go.code, [], now)
            if plan.leaving:  # what waits for them in the roles they leave goes on
                forwarded = notify.hand_over(
                    uow,
                    now,
                    person,
                    plan.leaving,
                    plan.others,
                    self.duties.second_reviewer,
                    access_ended=not after.active,
                )
            after = uow.people.get(person.id) or after
            done = Change(
                kind,
                person,
                after,
                taker,
                drafts,
                forwarded,
                plan.vacant,
                by,
                plan.changes + 1,
                plan.dropped,
            )
            uow.audit.append(self._event(done, now, operator))
            if kind is ChangeKind.REPLACE and taker is not None:  # the successor's record too
                uow.audit.append(
                    Event(
                        kind=EventKind.ANGGOTA_MENGGANTIKAN,
                        at=now,
                        actor_id=by.id if by else None,
                        unit_code=taker.unit.code,
                        subject=subject_of(taker.id),
                        detail={
                            "menggantikan": str(person.id),
                            "peran_baru": ",".join(sorted(r.value for r in taker.roles)),
                            **({"pengelola": operator} if operator and by is None else {}),
                        },
                    )
                )
            acting.forget()  # what this step read of who acts is read again
            notify.staffing(uow, now, done)
            if kind in (ChangeKind.MOVE, ChangeKind.REACTIVATE) and after.active:
                late_kickoff(uow, after, now, self.calendar())
            if kind is ChangeKind.REPLACE and taker is not None:
                late_kickoff(uow, taker, now, self.calendar())
            uow.commit()
        return done

    @staticmethod
    def _event(done: Change, now: datetime, operator: str | None = None) -> Event:
        detail = {
            "peran": ",".join(sorted(r.value for r in done.before.roles)) or "-",
        }
        if done.kind is ChangeKind.MOVE:
            detail["unit_baru"] = done.after.unit.code
            detail["peran_baru"] = ",".join(sorted(r.value for r in done.after.roles))
        if done.successor is not None and (
            done.drafts or done.forwarded or done.kind is ChangeKind.REPLACE
        ):
            detail["dialihkan_ke"] = str(done.successor.id)
        if done.drafts:
            detail["draf"] = str(len(done.drafts))
        if done.forwarded:
            detail["permintaan"] = str(done.forwarded)
        if done.vacant:
            detail["peran_kosong"] = ",".join(v.role.value for v in done.vacant)
        if done.dropped:
            detail["draf_dilepas"] = ",".join(
                f"{d.code or '-'}@{d.period.code}" for d in done.dropped
            )
        if operator and done.by is None:  # the server's account that ran the command
            detail["pengelola"] = operator
        return Event(
            kind=EVENT_OF[done.kind],
            at=now,
            actor_id=done.by.id if done.by else None,
            unit_code=done.before.unit.code,
            subject=subject_of(done.before.id),
            detail=detail,
        )

    @staticmethod
    def _allowed(by: Person | None) -> None:
        if by is not None and not by.may(Permission.MANAGE_PEOPLE):
            raise NotYourRole(Permission.MANAGE_PEOPLE.value)

"""/pengguna, people who come and go, decided once for both channels: the directory, a
person's card with what can be done to them, and each change asked before it is made
(deactivate, reactivate, move to another unit or role, replace by someone else). Each
button carries the choices made so far, so nothing is kept between taps; the service
refuses what the rules refuse, and a role left vacant is shown and confirmed apart."""

from __future__ import annotations

from chatbot import callbacks, texts
from chatbot.callbacks import PeopleStep
from chatbot.domain.errors import DomainError, LeavesRoleVacant, PersonChangeRefused
from chatbot.domain.people import Person
from chatbot.domain.roles import UNIT_KIND_OF_ROLE, Permission, Role
from chatbot.screens import Action, Screen
from chatbot.services.bundle import Services
from chatbot.services.views import ChangeKind, Plan

HISTORY_SHOWN = 5  # the latest changes on a person's card


def _step(step: str, person: int = 0, **more: int | str) -> str:
    return callbacks.people_step(PeopleStep(step, person, **more))  # type: ignore[arg-type]


def _cancel() -> tuple[Action, ...]:
    return (Action.of(texts.LABEL_CANCEL, callbacks.PEOPLE_CANCEL),)


def typed(svc: Services, person: Person, args: list[str]) -> Screen:
    """``pengguna``: the directory, by buttons."""
    if not person.may(Permission.MANAGE_PEOPLE):
        return Screen(texts.NOT_ALLOWED)
    return _directory(svc, person)


def pressed(svc: Services, person: Person, data: str) -> tuple[Screen, int]:
    """A button of the flow: the next screen (and, for a list, the page to show)."""
    if data == callbacks.PEOPLE_CANCEL:
        return Screen(texts.PEOPLE_CANCELLED), 0
    at = callbacks.parse_people_step(data)
    if at is None:
        return Screen(texts.BUTTON_INVALID), 0
    if not person.may(Permission.MANAGE_PEOPLE):
        return Screen(texts.NOT_ALLOWED), 0
    try:
        return _at(svc, person, at), at.page
    except LeavesRoleVacant:  # a confirmation without the warning, and now a role is left
        return _at(svc, person, PeopleStep(at.step[:-1], at.person, at.unit, at.role, at.other)), 0
    except PersonChangeRefused as exc:
        return Screen(texts.person_refused(exc.detail, _who(svc, at.person))), 0
    except DomainError as exc:
        return Screen(
            texts.delegation_error(exc)
            if exc.code == "cover_conflict"
            else texts.person_refused(exc.code, _who(svc, at.person))
        ), 0


def _who(svc: Services, person_id: int) -> Person | None:
    try:
        return svc.staffing.get(person_id)
    except DomainError:
        return None


def _directory(svc: Services, by: Person) -> Screen:
    entries = svc.staffing.directory(by)
    if not entries:
        return Screen(texts.PEOPLE_NOBODY)
    tz = svc.timezone
    actions = [
        Action(
            f"{'⛔ ' if not e.person.active else ''}{e.person.name} "
            f"({texts.roles_text(e.person.roles) or 'tanpa peran'}, {e.person.unit.name})",
            _step("p", e.person.id),
            e.person.name,
            f"{'NONAKTIF · ' if not e.person.active else ''}{e.person.unit.name} · "
            f"{texts.channels_text(e.person)} · {texts.last_seen_text(e.last_seen, tz)}",
        )
        for e in entries
    ]
    return Screen(
        texts.people_directory(entries),
        (*((a,) for a in actions), _cancel()),
        pick=texts.LABEL_PICK_PERSON,
        pages=f"{callbacks.PEOPLE}:l",
    )


def _card(svc: Services, by: Person, person_id: int) -> Screen:
    everyone = svc.staffing.directory(by)
    entry = next((e for e in everyone if e.person.id == person_id), None)
    if entry is None:
        return Screen(texts.CHOICE_EXPIRED)
    p = entry.person
    names = {e.person.id: e.person.name for e in everyone}
    history = [
        texts.person_history_line(e, names, svc.timezone)
        for e in svc.staffing.history(p.id)[-HISTORY_SHOWN:]
    ]
    actions: list[Action] = []
    if p.active:
        actions += [
            Action.of(texts.LABEL_DEACTIVATE, _step("d", p.id)),
            Action.of(texts.LABEL_MOVE, _step("m", p.id)),
            Action.of(texts.LABEL_REPLACE, _step("r", p.id)),
        ]
    else:
        actions += [
            Action.of(texts.LABEL_REACTIVATE, _step("a", p.id)),
            Action.of(texts.LABEL_REPLACE, _step("r", p.id)),
        ]
    actions.append(Action.of(texts.LABEL_PEOPLE_LIST, _step("l", page=0)))
    return Screen(
        texts.person_card(entry, history, svc.timezone),
        tuple((a,) for a in actions),
        pick=texts.LABEL_PICK_ACTION,
    )


def _confirm(plan: Plan, yes: str, vacant_yes: str) -> Screen:
    label = texts.LABEL_CHANGE_VACANT if plan.vacant else texts.LABEL_CHANGE_YES
    return Screen(
        texts.plan_text(plan),
        ((Action.of(label, vacant_yes if plan.vacant else yes), *_cancel()),),
    )


def _at(svc: Services, by: Person, at: PeopleStep) -> Screen:
    staffing = svc.staffing
    pid = at.person
    if at.step == "l":
        return _directory(svc, by)
    if at.step == "p":
        return _card(svc, by, pid)
    if at.step == "d":
        plan = staffing.plan(ChangeKind.DEACTIVATE, pid, by=by)
        return _confirm(plan, _step("dy", pid, vacant=0), _step("dy", pid, vacant=1))
    if at.step == "dy":
        done = staffing.deactivate(pid, by, confirm_vacant=bool(at.vacant))
        return Screen(texts.change_done(done), _back(pid))
    if at.step == "a":
        plan = staffing.plan(ChangeKind.REACTIVATE, pid, by=by)
        return _confirm(plan, _step("ay", pid), _step("ay", pid))
    if at.step == "ay":
        return Screen(texts.change_done(staffing.reactivate(pid, by)), _back(pid))
    if at.step in ("m", "mp"):
        person = staffing.get(pid)
        if not person.active:
            raise PersonChangeRefused("inactive")
        if person.id == by.id:
            raise PersonChangeRefused("self")
        actions = [
            Action(u.name, _step("mu", pid, unit=u.code), u.name, texts.UNIT_KIND_LABEL[u.kind])
            for u in svc.registration.units()
        ]
        return Screen(
            texts.move_unit(person),
            (*((a,) for a in actions), _cancel()),
            pick=texts.LABEL_PICK_UNIT,
            pages=f"{callbacks.PEOPLE}:mp:{pid}",
        )
    if at.step == "mu":
        person = staffing.get(pid)
        unit = next((u for u in svc.registration.units() if u.code == at.unit), None)
        if unit is None:
            return Screen(texts.CHOICE_EXPIRED)
        roles = [r for r in Role if UNIT_KIND_OF_ROLE[r] is unit.kind]
        actions = [
            Action(
                texts.ROLE_LABEL[r],
                _step("mr", pid, unit=unit.code, role=r.value),
                texts.ROLE_SHORT[r],
                texts.ROLE_LABEL[r],
            )
            for r in roles
        ]
        return Screen(
            texts.move_role(person, unit),
            (*((a,) for a in actions), _cancel()),
            pick=texts.LABEL_PICK_ROLE,
        )
    if at.step == "mr":
        plan = staffing.plan(ChangeKind.MOVE, pid, at.unit, [at.role], by=by)
        args = {"unit": at.unit, "role": at.role}
        return _confirm(
            plan, _step("my", pid, vacant=0, **args), _step("my", pid, vacant=1, **args)
        )
    if at.step == "my":
        done = staffing.move(pid, at.unit, [at.role], by, confirm_vacant=bool(at.vacant))
        return Screen(texts.change_done(done), _back(pid))
    if at.step in ("r", "rp"):
        person = staffing.get(pid)
        others = [
            e.person
            for e in staffing.directory(by)
            if e.person.active and e.person.id != pid and e.person.unit.code == person.unit.code
        ]
        if not others:
            return Screen(texts.replace_nobody(person))
        actions = [
            Action(
                f"{o.name} ({texts.roles_text(o.roles) or 'tanpa peran'})",
                _step("rs", pid, other=o.id),
                o.name,
                texts.roles_text(o.roles),
            )
            for o in others
        ]
        return Screen(
            texts.replace_who(person),
            (*((a,) for a in actions), _cancel()),
            pick=texts.LABEL_PICK_PERSON,
            pages=f"{callbacks.PEOPLE}:rp:{pid}",
        )
    if at.step == "rs":
        plan = staffing.plan(ChangeKind.REPLACE, pid, successor_id=at.other, by=by)
        yes = _step("ry", pid, other=at.other)
        return _confirm(plan, yes, yes)
    if at.step == "ry":
        return Screen(texts.change_done(staffing.replace(pid, at.other, by)), _back(pid))
    return Screen(texts.BUTTON_INVALID)


def _back(person_id: int) -> tuple[tuple[Action, ...], ...]:
    return (
        (
            Action.of(texts.LABEL_PERSON_BACK, _step("p", person_id)),
            Action.of(texts.LABEL_PEOPLE_LIST, _step("l", page=0)),
        ),
    )

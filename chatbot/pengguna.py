"""/pengguna, people who come and go, decided once for both channels: the directory (all, or
those whose name or unit holds the words typed after it), a person's card with what can be
done to them, and each change asked before it is made (deactivate, reactivate, move to
another unit or role, replace by someone else). Each button carries the choices made so far,
so nothing is kept between taps; a confirmation carries the number of the person's changes
it was shown after, so an old one pressed again does nothing; the service refuses what the
rules refuse, and a role left vacant is shown and confirmed apart."""

from __future__ import annotations

from chatbot import callbacks, texts
from chatbot.callbacks import PeopleStep
from chatbot.domain.errors import DomainError, LeavesRoleVacant
from chatbot.domain.people import Person
from chatbot.domain.roles import UNIT_KIND_OF_ROLE, Permission, Role
from chatbot.screens import Action, Screen
from chatbot.services.bundle import Services
from chatbot.services.views import ChangeKind, Entry, Plan

HISTORY_SHOWN = 5  # the latest changes on a person's card


def _step(step: str, person: int = 0, **more: int | str) -> str:
    return callbacks.people_step(PeopleStep(step, person, **more))  # type: ignore[arg-type]


def _cancel() -> tuple[Action, ...]:
    return (Action.of(texts.LABEL_CANCEL, callbacks.PEOPLE_CANCEL),)


def typed(svc: Services, person: Person, args: list[str]) -> Screen:
    """``pengguna [nama atau unit]``: the directory, by buttons."""
    if not person.may(Permission.MANAGE_PEOPLE):
        return Screen(texts.NOT_ALLOWED)
    return _directory(svc, person, " ".join(args).strip())


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
    except LeavesRoleVacant:  # confirmed without the warning, and now a role would be left
        again = {"dy": "d", "my": "mr", "ay": "a", "ry": "rs"}.get(at.step, "p")
        asked = PeopleStep(again, at.person, at.unit, at.role, at.other)
        return _at(svc, person, asked), 0
    except DomainError as exc:
        return Screen(texts.person_refused(exc, _who(svc, at.person))), 0


def _who(svc: Services, person_id: int) -> Person | None:
    try:
        return svc.staffing.get(person_id)
    except DomainError:
        return None


def _directory(svc: Services, by: Person, query: str = "") -> Screen:
    entries = svc.staffing.directory(by)
    if not entries:
        return Screen(texts.PEOPLE_NOBODY)
    if query:
        words = query.lower()
        entries = [
            e
            for e in entries
            if words in e.person.name.lower() or words in e.person.unit.name.lower()
        ]
        if not entries:
            return Screen(texts.PEOPLE_NONE_FOUND.format(query=query))
    tz = svc.timezone
    actions = [
        Action(
            texts.person_button(e),
            _step("p", e.person.id),
            e.person.name,
            texts.person_row(e, tz),
        )
        for e in entries
    ]
    return Screen(
        texts.people_directory(entries, query),
        (*((a,) for a in actions), _cancel()),
        pick=texts.LABEL_PICK_PERSON,
        pages=f"{callbacks.PEOPLE}:l",
    )


def _card(svc: Services, by: Person, person_id: int) -> Screen:
    everyone = svc.staffing.directory(by)
    entry: Entry | None = next((e for e in everyone if e.person.id == person_id), None)
    if entry is None:
        return Screen(texts.PEOPLE_EXPIRED)
    p = entry.person
    names = {e.person.id: e.person.name for e in everyone}
    history = [
        texts.person_history_line(e, names, svc.timezone)
        for e in svc.staffing.history(p.id)[-HISTORY_SHOWN:]
    ]
    own = p.id == by.id  # one's own access and roles are changed by another admin
    actions: list[Action] = []
    if p.active and not own:
        actions += [
            Action.of(texts.LABEL_DEACTIVATE, _step("d", p.id)),
            Action.of(texts.LABEL_MOVE, _step("m", p.id)),
            Action.of(texts.LABEL_REPLACE, _step("r", p.id)),
        ]
    elif not own:
        actions += [
            Action.of(texts.LABEL_REACTIVATE, _step("a", p.id)),
            Action.of(texts.LABEL_REPLACE, _step("r", p.id)),
        ]
    actions.append(Action.of(texts.LABEL_PEOPLE_LIST, _step("l", page=0)))
    return Screen(
        texts.person_card(entry, history, svc.timezone, own),
        tuple((a,) for a in actions),
        pick=texts.LABEL_PICK_ACTION if len(actions) > 3 else "",
    )


def _confirm(plan: Plan, step: str, **fields: int | str) -> Screen:
    """The plan asked; its button carries the person's changes so far (an old one expires),
    and ``vacant`` 1 only when the warning of a role left vacant is shown."""
    token = {"seen": plan.changes}
    if step in ("dy", "my"):
        token["vacant"] = 1 if plan.vacant else 0
    label = texts.LABEL_CHANGE_VACANT if plan.vacant else texts.LABEL_CHANGE_YES
    yes = _step(step, plan.person.id, **fields, **token)
    return Screen(texts.plan_text(plan), ((Action.of(label, yes), *_cancel()),))


def _at(svc: Services, by: Person, at: PeopleStep) -> Screen:
    staffing = svc.staffing
    pid = at.person
    if at.step == "l":
        return _directory(svc, by)
    if at.step == "p":
        return _card(svc, by, pid)
    if at.step == "d":
        return _confirm(staffing.plan(ChangeKind.DEACTIVATE, pid, by=by), "dy")
    if at.step == "dy":
        done = staffing.deactivate(pid, by, confirm_vacant=bool(at.vacant), seen=at.seen)
        return Screen(texts.change_done(done), _back(pid))
    if at.step == "a":
        return _confirm(staffing.plan(ChangeKind.REACTIVATE, pid, by=by), "ay")
    if at.step == "ay":
        return Screen(texts.change_done(staffing.reactivate(pid, by, seen=at.seen)), _back(pid))
    if at.step in ("m", "mp"):
        return _units(svc, by, pid)
    if at.step == "mu":
        return _roles(svc, by, pid, at.unit)
    if at.step == "mr":
        plan = staffing.plan(ChangeKind.MOVE, pid, at.unit, [at.role], by=by)
        return _confirm(plan, "my", unit=at.unit, role=at.role)
    if at.step == "my":
        done = staffing.move(
            pid, at.unit, [at.role], by, confirm_vacant=bool(at.vacant), seen=at.seen
        )
        return Screen(texts.change_done(done), _back(pid))
    if at.step in ("r", "rp"):
        return _successors(svc, by, pid)
    if at.step == "rs":
        plan = staffing.plan(ChangeKind.REPLACE, pid, successor_id=at.other, by=by)
        return _confirm(plan, "ry", other=at.other)
    if at.step == "ry":
        done = staffing.replace(pid, at.other, by, seen=at.seen)
        return Screen(texts.change_done(done), _back(pid))
    return Screen(texts.BUTTON_INVALID)


def _units(svc: Services, by: Person, pid: int) -> Screen:
    """Where to move them: every unit, theirs marked."""
    person = svc.staffing.movable(pid, by)
    actions = [
        Action(
            f"{u.name} ({texts.UNIT_NOW})" if u.code == person.unit.code else u.name,
            _step("mu", pid, unit=u.code),
            texts.unit_short(u),
            f"{u.name} ({texts.UNIT_NOW})" if u.code == person.unit.code else u.name,
        )
        for u in svc.registration.units()
    ]
    return Screen(
        texts.move_unit(person),
        (*((a,) for a in actions), _cancel()),
        pick=texts.LABEL_PICK_UNIT,
        pages=f"{callbacks.PEOPLE}:mp:{pid}",
    )


def _roles(svc: Services, by: Person, pid: int, unit_code: str) -> Screen:
    """Which role in the unit chosen; a unit with one role for them goes straight on."""
    person = svc.staffing.get(pid)
    unit = next((u for u in svc.registration.units() if u.code == unit_code), None)
    if unit is None:
        return Screen(texts.PEOPLE_EXPIRED)
    roles = [r for r in Role if UNIT_KIND_OF_ROLE[r] is unit.kind]
    if len(roles) == 1:
        plan = svc.staffing.plan(ChangeKind.MOVE, pid, unit.code, [roles[0].value], by=by)
        return _confirm(plan, "my", unit=unit.code, role=roles[0].value)
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


def _successors(svc: Services, by: Person, pid: int) -> Screen:
    """Who replaces them: the other active people of their unit."""
    everyone = svc.staffing.directory(by)
    person = next((e.person for e in everyone if e.person.id == pid), None)
    if person is None:
        return Screen(texts.PEOPLE_EXPIRED)
    others = [
        e
        for e in everyone
        if e.person.active and e.person.id != pid and e.person.unit.code == person.unit.code
    ]
    if not others:
        return Screen(texts.replace_nobody(person))
    actions = [
        Action(
            texts.person_button(e),
            _step("rs", pid, other=e.person.id),
            e.person.name,
            texts.person_row(e, svc.timezone),
        )
        for e in others
    ]
    return Screen(
        texts.replace_who(person),
        (*((a,) for a in actions), _cancel()),
        pick=texts.LABEL_PICK_PERSON,
        pages=f"{callbacks.PEOPLE}:rp:{pid}",
    )


def _back(person_id: int) -> tuple[tuple[Action, ...], ...]:
    return (
        (
            Action.of(texts.LABEL_PERSON_BACK, _step("p", person_id)),
            Action.of(texts.LABEL_PEOPLE_LIST, _step("l", page=0)),
        ),
    )

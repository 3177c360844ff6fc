"""/wakil, leave cover, decided once for both channels: by buttons (who is away, which role,
who covers, which dates among presets, then a confirmation) or typed with names and
dd-mm-yyyy dates (``chatbot.domain.leave``). Each button carries the choices made so far, so
nothing is kept between taps."""

from __future__ import annotations

from datetime import date, datetime

from chatbot import callbacks, texts
from chatbot.callbacks import DelegateStep
from chatbot.domain.duties import cover_conflict
from chatbot.domain.errors import DomainError
from chatbot.domain.leave import COVERABLE_ROLES, COVERING_UNITS, Typed, parse_typed, presets
from chatbot.domain.people import Person
from chatbot.domain.roles import Permission, Role
from chatbot.screens import Action, Screen
from chatbot.services.bundle import Services


def _roles(person: Person) -> list[Role]:
    return [r for r in COVERABLE_ROLES if r in person.roles]


def _yyyymmdd(day: date) -> str:
    return day.strftime("%Y%m%d")


def _day(text: str) -> date:
    return datetime.strptime(text, "%Y%m%d").date()


def _cancel_row() -> tuple[Action, ...]:
    return (Action.of(texts.LABEL_CANCEL, callbacks.DELEGATE_CANCEL),)


def _people_screen(text: str, actions: list[Action], pages: str) -> Screen:
    rows = (*((a,) for a in actions), _cancel_row())
    return Screen(text, rows, pick=texts.LABEL_PICK_PERSON, pages=pages)


def _record(svc: Services, person: Person, typed: Typed) -> Screen:
    assert typed.role and typed.covered and typed.delegate and typed.start and typed.end
    try:
        done = svc.delegation.delegate(
            typed.role.value,
            typed.covered.id,
            typed.delegate.id,
            typed.start,
            typed.end,
            by=person,
        )
    except DomainError as exc:
        return Screen(texts.delegation_error(exc))
    return Screen(texts.delegation_done(done))


def typed(svc: Services, person: Person, args: list[str]) -> Screen:
    """``wakil`` alone: the first step by buttons; with words: recorded when they read."""
    if not person.may(Permission.DELEGATE):
        return Screen(texts.NOT_ALLOWED)
    if not args:
        return step(svc, person, DelegateStep("cp"))
    found = parse_typed(args, [p for p in svc.registration.people() if p.active])
    if found.problem:
        return Screen(texts.leave_typed_problem(found.problem, found.said, found.ambiguous))
    return _record(svc, person, found)


def pressed(svc: Services, person: Person, data: str) -> tuple[Screen, int]:
    """A button of the flow: the next screen (and, for a list, the page to show)."""
    if data == callbacks.DELEGATE_CANCEL:
        return Screen(texts.LEAVE_CANCELLED), 0
    choice = callbacks.parse_delegate_step(data)
    if choice is None:
        return Screen(texts.BUTTON_INVALID), 0
    if not person.may(Permission.DELEGATE):
        return Screen(texts.NOT_ALLOWED), 0
    return step(svc, person, choice), choice.page


def step(svc: Services, person: Person, at: DelegateStep) -> Screen:
    people = {p.id: p for p in svc.registration.people() if p.active}
    if at.step == "cp":  # whom to cover
        away = [p for p in people.values() if _roles(p)]
        if not away:
            return Screen(texts.LEAVE_NOBODY)
        actions = [
            Action(
                f"{p.name} ({', '.join(texts.ROLE_LABEL[r] for r in _roles(p))})",
                callbacks.delegate_step(DelegateStep("c", p.id)),
                p.name,
                ", ".join(texts.ROLE_LABEL[r] for r in _roles(p)),
            )
            for p in sorted(away, key=lambda p: p.name)
        ]
        text = f"{texts.LEAVE_WHO}\n\n{texts.LEAVE_TYPED}"
        return _people_screen(text, actions, f"{callbacks.DELEGATE}:cp")
    covered = people.get(at.covered)
    if covered is None or not _roles(covered):
        return Screen(texts.CHOICE_EXPIRED)
    if at.step == "c":
        roles = _roles(covered)
        if len(roles) > 1:
            actions = [
                Action(
                    texts.ROLE_LABEL[r], callbacks.delegate_step(DelegateStep("r", covered.id, r))
                )
                for r in roles
            ]
            return Screen(texts.leave_role(covered), (*((a,) for a in actions), _cancel_row()))
        at = DelegateStep("r", covered.id, roles[0].value)
    try:
        role = Role(at.role)
    except ValueError:
        return Screen(texts.BUTTON_INVALID)
    if role not in _roles(covered):
        return Screen(texts.CHOICE_EXPIRED)
    if at.step in ("r", "dp"):  # who covers
        chain, duties = svc.delegation.chain_roles, svc.delegation.duties
        candidates = [  # not one who would give two of a card's paraf and signatures
            p
            for p in people.values()
            if p.id != covered.id
            and p.unit.kind in COVERING_UNITS
            and cover_conflict(role, p.roles, chain, duties) is None
        ]
        actions = [
            Action(
                f"{p.name} ({p.unit.name})",
                callbacks.delegate_step(DelegateStep("d", covered.id, role.value, p.id)),
                p.name,
                p.unit.name,
            )
            for p in sorted(candidates, key=lambda p: p.name)
        ]
        pages = f"{callbacks.DELEGATE}:dp:{covered.id}:{role.value}"
        return _people_screen(texts.leave_delegate(covered, role), actions, pages)
    delegate = people.get(at.delegate)
    if delegate is None or delegate.id == covered.id:
        return Screen(texts.CHOICE_EXPIRED)
    if at.step == "d":  # which dates
        today = svc.card.today()
        actions = []
        for preset in presets(today):
            label = texts.LEAVE_PRESET[preset.key]
            when = texts.span(preset.start, preset.end)
            data = callbacks.delegate_step(
                DelegateStep(
                    "t",
                    covered.id,
                    role.value,
                    delegate.id,
                    _yyyymmdd(preset.start),
                    _yyyymmdd(preset.end),
                )
            )
            actions.append(Action(f"{label} ({when})", data, label, when))
        return Screen(
            texts.leave_dates(covered, role, delegate),
            (*((a,) for a in actions), _cancel_row()),
            pick=texts.LABEL_PICK_DATES,
        )
    try:
        start, end = _day(at.start), _day(at.end)
    except ValueError:
        return Screen(texts.BUTTON_INVALID)
    found = Typed(delegate, role, covered, start, end)
    if at.step == "t":  # the confirmation
        yes = callbacks.delegate_step(DelegateStep("y", *_fields(at)))
        return Screen(
            texts.leave_confirm(covered, role, delegate, start, end),
            (
                (
                    Action.of(texts.LABEL_LEAVE_YES, yes),
                    Action.of(texts.LABEL_CANCEL, callbacks.DELEGATE_CANCEL),
                ),
            ),
        )
    return _record(svc, person, found)


def _fields(at: DelegateStep) -> tuple[int, str, int, str, str]:
    return at.covered, at.role, at.delegate, at.start, at.end

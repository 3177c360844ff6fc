"""Who acts, and for whom: a person's own roles plus the roles they cover today."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import date

from chatbot.domain.duties import Duties, Reviewers, reviewers_of
from chatbot.domain.people import Person
from chatbot.domain.roles import PERMISSIONS, Permission, Role
from chatbot.domain.workflow import Actor
from chatbot.services.ports import UnitOfWork


class _Reading:
    """What one step of a person reads of who acts (the roles a person covers, the
    reviewers' pool), read once however many units of work the step opens. Closed when the
    step ends: a task the step started and that runs on reads afresh."""

    __slots__ = ("covering", "open", "pools")

    def __init__(self) -> None:
        self.open = True
        self.pools: dict[tuple[date, Duties], ReviewPool] = {}
        self.covering: dict[tuple[int, date], dict[Role, int]] = {}


_READING: ContextVar[_Reading | None] = ContextVar("acting_reading", default=None)


def _reading() -> _Reading | None:
    reading = _READING.get()
    return reading if reading is not None and reading.open else None


@contextmanager
def one_reading() -> Iterator[None]:
    """Within the block (one update of a person, on either channel), who covers what and
    who reviews are read once; a block inside another shares the outer one."""
    if _reading() is not None:
        yield
        return
    reading = _Reading()
    token = _READING.set(reading)
    try:
        yield
    finally:
        reading.open = False
        _READING.reset(token)


def forget() -> None:
    """People, roles or leave covers changed in this step: what it read of them is read
    again."""
    reading = _reading()
    if reading is not None:
        reading.pools.clear()
        reading.covering.clear()


def covering(uow: UnitOfWork, person_id: int, day: date) -> dict[Role, int]:
    """The roles ``person_id`` covers on ``day``, and whose."""
    reading = _reading()
    if reading is not None and (person_id, day) in reading.covering:
        return dict(reading.covering[(person_id, day)])
    found = uow.delegations.covering(person_id, day)
    if reading is not None:
        reading.covering[(person_id, day)] = dict(found)
    return found


def actor(uow: UnitOfWork, person: Person, day: date) -> Actor:
    return replace(person.actor(), covering=covering(uow, person.id, day))


@dataclass(frozen=True, slots=True)
class Holder:
    """Someone asked to act in a role today: its holder, or the delegate of a holder on leave
    (``on_behalf_of``)."""

    person: Person
    on_behalf_of: Person | None = None


def asked(uow: UnitOfWork, role: Role, day: date) -> list[Holder]:
    """Who is asked to act in ``role`` today: its holders, except those on leave whose
    delegate is active (the delegate is asked instead, on their behalf)."""
    return asked_in(uow, (role,), day)[role]


def asked_in(uow: UnitOfWork, roles: Sequence[Role], day: date) -> dict[Role, list[Holder]]:
    """``asked`` of each of ``roles``, their holders and covers read at once."""
    holding = uow.people.with_roles(roles)
    covers = uow.delegations.covers_roles(roles, day)
    return {role: _asked(uow, role, holding[role], covers[role]) for role in roles}


def _asked(
    uow: UnitOfWork, role: Role, holding: list[Person], covers: list[tuple[int, int]]
) -> list[Holder]:
    own = {p.id: p for p in holding}
    result: dict[int, Holder] = {}
    covered: set[int] = set()
    for covered_id, delegate_id in covers:
        held = own.get(covered_id) or uow.people.get(covered_id)
        if held is None or not held.active or role not in held.roles:
            continue  # their access ended, or the role is no longer theirs: nobody covers it
        delegate = uow.people.get(delegate_id)
        if delegate is None or not delegate.active:
            continue
        covered.add(covered_id)
        result.setdefault(delegate.id, Holder(delegate, own.get(covered_id)))
    for p in own.values():
        if p.id not in covered:
            result[p.id] = Holder(p)  # one's own role before a cover of it
    return list(result.values())


def holders(uow: UnitOfWork, role: Role, day: date) -> list[Person]:
    """Everyone asked to act in ``role`` today (``asked``), as people."""
    return [h.person for h in asked(uow, role, day)]


REVIEWING_ROLES = tuple(r for r in Role if Permission.REVIEW_ITEMS in PERMISSIONS[r])


@dataclass(frozen=True, slots=True)
class ReviewPool:
    """Who reviews deliveries today (everyone asked in a reviewing role) and who steps in as
    the second reviewer: the same for every submitter, read once per step (``one_reading``)."""

    reviewers: tuple[int, ...]
    second: tuple[int, ...]

    def of(self, submitter_id: int, duties: Duties) -> Reviewers:
        """Who decides a delivery by ``submitter_id`` (``duties.reviewers_of``)."""
        return reviewers_of(submitter_id, self.reviewers, self.second, duties)


def review_pool(uow: UnitOfWork, day: date, duties: Duties) -> ReviewPool:
    reading = _reading()
    memo = reading.pools if reading is not None else None
    if memo is not None and (day, duties) in memo:
        return memo[(day, duties)]
    role = duties.second_reviewer
    asked = asked_in(uow, (*REVIEWING_ROLES, *((role,) if role is not None else ())), day)
    pool = [h.person.id for r in REVIEWING_ROLES for h in asked[r]]
    second = [h.person.id for h in asked[role]] if role is not None else []
    found = ReviewPool(tuple(dict.fromkeys(pool)), tuple(second))
    if memo is not None:
        memo[(day, duties)] = found
    return found


def reviewers(uow: UnitOfWork, submitter_id: int, day: date, duties: Duties) -> Reviewers:
    """Who decides a delivery by ``submitter_id`` today (``duties.reviewers_of``)."""
    return review_pool(uow, day, duties).of(submitter_id, duties)

"""Who acts, and for whom: a person's own roles plus the roles they cover today."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import date

from chatbot.domain.duties import Duties, Reviewers, reviewers_of
from chatbot.domain.people import Person
from chatbot.domain.roles import PERMISSIONS, Permission, Role
from chatbot.domain.workflow import Actor
from chatbot.services.ports import UnitOfWork


def actor(uow: UnitOfWork, person: Person, day: date) -> Actor:
    return replace(person.actor(), covering=uow.delegations.covering(person.id, day))


@dataclass(frozen=True, slots=True)
class Holder:
    """Someone asked to act in a role today: its holder, or the delegate of a holder on leave
    (``on_behalf_of``)."""

    person: Person
    on_behalf_of: Person | None = None


def asked(uow: UnitOfWork, role: Role, day: date) -> list[Holder]:
    """Who is asked to act in ``role`` today: its holders, except those on leave whose
    delegate is active (the delegate is asked instead, on their behalf)."""
    own = {p.id: p for p in uow.people.with_role(role)}
    result: dict[int, Holder] = {}
    covered: set[int] = set()
    for covered_id, delegate_id in uow.delegations.covers(role, day):
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
    the second reviewer: the same for every submitter, read once per unit of work."""

    reviewers: tuple[int, ...]
    second: tuple[int, ...]

    def of(self, submitter_id: int, duties: Duties) -> Reviewers:
        """Who decides a delivery by ``submitter_id`` (``duties.reviewers_of``)."""
        return reviewers_of(submitter_id, self.reviewers, self.second, duties)


_POOLS: ContextVar[dict[tuple[date, Duties], ReviewPool] | None] = ContextVar(
    "review_pools", default=None
)


@contextmanager
def one_reading() -> Iterator[None]:
    """Within the block (one step of a person, such as a decision at the desk and the next
    delivery shown, which reads the queue in several units of work), the reviewers' pool is
    read once."""
    token = _POOLS.set({})
    try:
        yield
    finally:
        _POOLS.reset(token)


def review_pool(uow: UnitOfWork, day: date, duties: Duties) -> ReviewPool:
    memo = _POOLS.get()
    if memo is not None and (day, duties) in memo:
        return memo[(day, duties)]
    pool = [p.id for role in REVIEWING_ROLES for p in holders(uow, role, day)]
    role = duties.second_reviewer
    second = [p.id for p in holders(uow, role, day)] if role is not None else []
    found = ReviewPool(tuple(dict.fromkeys(pool)), tuple(second))
    if memo is not None:
        memo[(day, duties)] = found
    return found


def reviewers(uow: UnitOfWork, submitter_id: int, day: date, duties: Duties) -> Reviewers:
    """Who decides a delivery by ``submitter_id`` today (``duties.reviewers_of``)."""
    return review_pool(uow, day, duties).of(submitter_id, duties)

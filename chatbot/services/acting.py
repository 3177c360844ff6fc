"""Who acts, and for whom: a person's own roles plus the roles they cover today."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from chatbot.domain.people import Person
from chatbot.domain.roles import Role
from chatbot.domain.workflow import Actor
from chatbot.services.ports import UnitOfWork


def actor(uow: UnitOfWork, person: Person, day: date) -> Actor:
    return replace(person.actor(), covering=uow.delegations.covering(person.id, day))


def holders(uow: UnitOfWork, role: Role, day: date) -> list[Person]:
    """Everyone who may act in ``role`` today: its holders and their delegates."""
    people = {p.id: p for p in uow.people.with_role(role)}
    for delegate_id in uow.delegations.delegates(role, day):
        delegate = uow.people.get(delegate_id)
        if delegate is not None and delegate.active:
            people.setdefault(delegate.id, delegate)
    return list(people.values())

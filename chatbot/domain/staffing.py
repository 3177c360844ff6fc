"""People who come and go (mutasi): whose role a change would leave vacant, and who takes
over the open work of someone who leaves a role. Pure rules; the services apply them."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from chatbot.domain.duties import Duties
from chatbot.domain.people import Person
from chatbot.domain.roles import PROVINCIAL_ROLES, Role
from chatbot.domain.units import Unit

# a unit's own roles: held per regency or department; the others once for the province
UNIT_ROLES: frozenset[Role] = frozenset({Role.SATGAS_KABKOTA, Role.BAGIAN})
# whose successor takes the open work first: the SOP's swimlanes, then a unit's, the admin last
PRECEDENCE: tuple[Role, ...] = (*PROVINCIAL_ROLES, Role.SATGAS_KABKOTA, Role.BAGIAN, Role.ADMIN)


@dataclass(frozen=True, slots=True)
class Vacancy:
    """A role nobody would hold: for a unit's own role, in that unit."""

    role: Role
    unit: Unit | None = None


def _holds(person: Person, role: Role, unit: Unit) -> bool:
    return (
        person.active
        and role in person.roles
        and (role not in UNIT_ROLES or person.unit.code == unit.code)
    )


def left_vacant(
    person: Person, roles_after: frozenset[Role], unit_after: Unit, others: Iterable[Person]
) -> list[Vacancy]:
    """The roles ``person`` holds now that nobody would hold once they hold ``roles_after``
    in ``unit_after`` (nothing, for a person deactivated: ``roles_after`` empty)."""
    rest = [p for p in others if p.id != person.id and p.active]
    vacant: list[Vacancy] = []
    for role in sorted(person.roles, key=PRECEDENCE.index):
        kept = role in roles_after and (
            role not in UNIT_ROLES or unit_after.code == person.unit.code
        )
        if kept or any(_holds(p, role, person.unit) for p in rest):
            continue
        vacant.append(Vacancy(role, person.unit if role in UNIT_ROLES else None))
    return vacant


def successor(
    person: Person, roles_left: Iterable[Role], others: Iterable[Person]
) -> Person | None:
    """Who takes over the open work ``person`` leaves with ``roles_left``: the first other
    active holder of the first of those roles that someone holds (a unit's own role in the
    same unit), by the SOP's order of roles, then by who joined first."""
    rest = sorted((p for p in others if p.id != person.id and p.active), key=lambda p: p.id)
    for role in sorted(roles_left, key=PRECEDENCE.index):
        for p in rest:
            if _holds(p, role, person.unit):
                return p
    return None


def duty_conflict(
    roles: frozenset[Role], chain_roles: Collection[Role], duties: Duties
) -> tuple[Role, Role] | None:
    """Two roles one person must not hold together (separation of duties): two roles of the
    card's paraf and signature chain (one person would give two of them), or the provincial
    satgas, who drafts the card, with one of them (they would approve their own draft)."""
    if not duties.separate:
        return None
    chain = sorted((r for r in roles if r in chain_roles), key=PRECEDENCE.index)
    if len(chain) >= 2:
        return chain[0], chain[1]
    if chain and Role.SATGAS_PROV in roles:
        return Role.SATGAS_PROV, chain[0]
    return None

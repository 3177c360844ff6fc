"""Who a change leaves a role vacant for, and who takes over the open work (pure rules)."""

from __future__ import annotations

from chatbot.domain.people import Person
from chatbot.domain.roles import Role
from chatbot.domain.staffing import Vacancy, left_vacant, successor
from chatbot.domain.units import Unit, UnitKind

PROV = Unit("15", "KPU Provinsi Jambi", UnitKind.PROVINSI)
KERINCI = Unit("1501", "KPU Kabupaten Kerinci", UnitKind.KABKOTA)
MERANGIN = Unit("1502", "KPU Kabupaten Merangin", UnitKind.KABKOTA)


def p(pid: int, unit: Unit, *roles: Role, active: bool = True) -> Person:
    return Person(pid, f"P{pid}", unit, frozenset(roles), active=active)


def test_a_role_held_by_nobody_else_is_vacant_and_a_units_role_counts_per_unit() -> None:
    ketua = p(1, PROV, Role.KETUA, Role.ADMIN)
    budi = p(2, KERINCI, Role.SATGAS_KABKOTA)
    mira = p(3, MERANGIN, Role.SATGAS_KABKOTA)
    admin = p(4, PROV, Role.ADMIN)
    gone = p(5, PROV, Role.KETUA, active=False)  # an inactive holder holds nothing
    everyone = [ketua, budi, mira, admin, gone]
    assert left_vacant(ketua, frozenset(), PROV, everyone) == [Vacancy(Role.KETUA)]
    assert left_vacant(budi, frozenset(), KERINCI, everyone) == [
        Vacancy(Role.SATGAS_KABKOTA, KERINCI)
    ]  # Mira holds the role in another regency only
    # a transfer keeps nothing of a unit's role in the old unit
    assert left_vacant(budi, budi.roles, MERANGIN, everyone) == [
        Vacancy(Role.SATGAS_KABKOTA, KERINCI)
    ]
    assert left_vacant(budi, budi.roles, KERINCI, everyone) == []
    assert left_vacant(ketua, frozenset({Role.KETUA}), PROV, everyone) == []  # admin: Id 4


def test_the_successor_holds_the_first_role_left_in_the_sops_order() -> None:
    leaving = p(1, PROV, Role.ADMIN, Role.SATGAS_PROV)
    admin = p(2, PROV, Role.ADMIN)
    satgas = p(3, PROV, Role.SATGAS_PROV)
    later = p(4, PROV, Role.SATGAS_PROV)
    assert successor(leaving, leaving.roles, [admin, later, satgas, leaving]) == satgas
    assert successor(leaving, {Role.ADMIN}, [admin, satgas]) == admin
    budi = p(5, KERINCI, Role.SATGAS_KABKOTA)
    mira = p(6, MERANGIN, Role.SATGAS_KABKOTA)
    assert successor(budi, budi.roles, [mira]) is None  # not another regency's satgas
    assert successor(budi, budi.roles, [p(7, KERINCI, Role.SATGAS_KABKOTA, active=False)]) is None

"""One step of a person reads who covers what once (acting.one_reading); a change of people
or covers in the step, and the step's end, make it read again."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any, cast

from chatbot.domain.roles import Role
from chatbot.services import acting
from chatbot.services.ports import UnitOfWork

DAY = date(2026, 10, 5)


class Delegations:
    def __init__(self) -> None:
        self.asked = 0
        self.covered: dict[Role, int] = {Role.SATGAS_PROV: 7}

    def covering(self, delegate_id: int, day: date) -> dict[Role, int]:
        self.asked += 1
        return dict(self.covered)


def uow(delegations: Delegations) -> UnitOfWork:
    class Uow:
        pass

    unit: Any = Uow()
    unit.delegations = delegations
    return cast(UnitOfWork, unit)


def test_outside_a_step_every_reading_asks() -> None:
    d = Delegations()
    acting.covering(uow(d), 1, DAY)
    acting.covering(uow(d), 1, DAY)
    assert d.asked == 2


def test_a_step_asks_once_and_a_change_in_it_asks_again() -> None:
    d = Delegations()
    with acting.one_reading():
        assert acting.covering(uow(d), 1, DAY) == {Role.SATGAS_PROV: 7}
        with acting.one_reading():  # a block inside shares the step's reading
            acting.covering(uow(d), 1, DAY)
        assert d.asked == 1
        acting.covering(uow(d), 2, DAY)  # someone else: asked
        assert d.asked == 2
        d.covered = {}
        acting.forget()  # e.g. a leave cover recorded in this step
        assert acting.covering(uow(d), 1, DAY) == {}
        assert d.asked == 3
    acting.covering(uow(d), 1, DAY)
    assert d.asked == 4  # the step ended


async def test_a_task_the_step_started_reads_afresh_once_the_step_ended() -> None:
    d = Delegations()
    go_on = asyncio.Event()

    async def later() -> None:
        await go_on.wait()
        acting.covering(uow(d), 1, DAY)
        acting.covering(uow(d), 1, DAY)

    with acting.one_reading():
        acting.covering(uow(d), 1, DAY)
        task = asyncio.create_task(later())  # inherits the step's context
    go_on.set()
    await task
    assert d.asked == 3

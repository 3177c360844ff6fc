"""Item states are written with a conditional update: two writers from the same read cannot
both win (lost updates are impossible), on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chatbot.app import Core
from chatbot.domain.calendar import Period
from chatbot.domain.errors import ConcurrentChange
from chatbot.domain.workflow import DeliveryKind, ItemStatus

P = Period(2026, 10)


def test_second_writer_from_the_same_read_loses(core: Core) -> None:
    core.services.submission.open_period(P)
    now = core.clock()
    with core.uow() as uow:
        first = uow.items.get(P, "1501", "KEU-01")
        uow.items.save(first, replace(first.state, status=ItemStatus.DIKIRIM, version=1), now)
        uow.commit()
    with core.uow() as a, core.uow() as b:
        read_a = a.items.get(P, "1501", "KEU-01")
        read_b = b.items.get(P, "1501", "KEU-01")
        a.items.save(read_a, replace(read_a.state, status=ItemStatus.DISETUJUI), now)
        a.commit()
        with pytest.raises(ConcurrentChange):
            b.items.save(read_b, replace(read_b.state, status=ItemStatus.DIKEMBALIKAN), now)
    with core.uow() as uow:
        assert uow.items.get(P, "1501", "KEU-01").state.status is ItemStatus.DISETUJUI


def test_two_first_writes_of_the_same_item(core: Core) -> None:
    core.services.submission.open_period(P)
    now = core.clock()
    with core.uow() as a:
        read_a = a.items.get(P, "1501", "KEU-01")
        a.items.save(
            read_a,
            replace(
                read_a.state, status=ItemStatus.DIKIRIM, version=1, delivery=DeliveryKind.BERKAS
            ),
            now,
        )
        a.commit()
    with core.uow() as b, pytest.raises(ConcurrentChange):
        b.items.save(read_a, replace(read_a.state, status=ItemStatus.DIKIRIM, version=1), now)
